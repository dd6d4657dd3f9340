import { describe, expect, it } from 'vitest';
import { decideCompiler, type CompilerInput } from '../../../src/docker/compiler-mode.js';
import { TARGETS } from '../../../src/targets/catalog.js';

const t = (id: string) => TARGETS.get(id)!;
const base: CompilerInput = {
  target: t('glibc-armv7'),
  hostNative: ['linux/amd64'],
  hostSetting: undefined,
  recipeSetting: undefined,
  imageMatchesToolchain: true,
  toolchainAvailable: true,
};

describe('decideCompiler', () => {
  it.each([
    ['armv7 on an x86_64 host with a bootstrap image', {}, 'hybrid', 'armv7l'],
    ['aarch64 on an x86_64 host', { target: t('glibc-aarch64') }, 'hybrid', 'aarch64'],
    ['x86_64 on an x86_64 host', { target: t('glibc-x86_64') }, 'native', undefined],
    ['aarch64 on an ARM host', { target: t('glibc-aarch64'), hostNative: ['linux/arm64'] }, 'native', undefined],
    ['armv7 on an arm64 host without AArch32', { hostNative: ['linux/arm64'] }, 'emulated', undefined],
    ['the host turns it off', { hostSetting: false }, 'emulated', undefined],
    ['the recipe turns it off', { recipeSetting: false }, 'emulated', undefined],
    ['the recipe cannot turn it on against the host', { hostSetting: false, recipeSetting: true }, 'emulated', undefined],
    ['an official image, automatic', { imageMatchesToolchain: false }, 'emulated', undefined],
    ['an official image, forced by the host', { imageMatchesToolchain: false, hostSetting: true }, 'hybrid', 'armv7l'],
    ['no toolchain image', { toolchainAvailable: false }, 'emulated', undefined],
  ] as const)('%s: %s', (_name, over, mode, cross) => {
    const decision = decideCompiler({ ...base, ...over } as CompilerInput);
    expect(decision.mode).toBe(mode);
    expect(decision.cross).toBe(cross);
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('says how to get the toolchain when it is missing', () => {
    expect(decideCompiler({ ...base, toolchainAvailable: false }).reason).toMatch(/farm images bootstrap/);
  });
});
