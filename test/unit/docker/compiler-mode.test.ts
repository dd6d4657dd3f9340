import { describe, expect, it } from 'vitest';
import { compilerIdentitySuffix, decideCompiler, plannedCompiler, type CompilerInput } from '../../../src/docker/compiler-mode.js';
import { TARGETS } from '../../../src/targets/catalog.js';

const t = (id: string) => TARGETS.get(id)!;
const base: CompilerInput = {
  target: t('glibc-armv7'),
  hostNative: ['linux/amd64'],
  hostSetting: undefined,
  recipeSetting: undefined,
  imageMatchesToolchain: true,
  toolchainId: 'sha256:tc1',
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
    ['no toolchain image', { toolchainId: undefined }, 'emulated', undefined],
  ] as const)('%s: %s', (_name, over, mode, cross) => {
    const decision = decideCompiler({ ...base, ...over } as CompilerInput);
    expect(decision.mode).toBe(mode);
    expect(decision.cross).toBe(cross);
    expect(decision.toolchain).toBe(mode === 'hybrid' ? 'sha256:tc1' : undefined);
    expect(decision.matchesPlan).toBe(true);
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('says how to get the toolchain when it is missing', () => {
    expect(decideCompiler({ ...base, toolchainId: undefined }).reason).toMatch(/farm images bootstrap/);
  });
});

/**
 * A request is resolved on one host, which fixes the compiler in the build's
 * identity; the build may run on another host whose settings differ.
 */
describe('decideCompiler against the plan (hosts that differ)', () => {
  it.each([
    // planned, host differences, expected mode, matches the plan
    ['hybrid planned, same toolchain here', 'sha256:tc1', {}, 'hybrid', true],
    ['hybrid planned, crossCompile: false here', 'sha256:tc1', { hostSetting: false }, 'emulated', false],
    ['hybrid planned, no toolchain here', 'sha256:tc1', { toolchainId: undefined }, 'emulated', false],
    ['hybrid planned, another toolchain here', 'sha256:tc1', { toolchainId: 'sha256:tc2' }, 'hybrid', false],
    ["hybrid planned, the recipe turns it off (recipe hash): the image's compiler everywhere", 'sha256:tc1', { recipeSetting: false, toolchainId: undefined }, 'emulated', true],
    ["image compiler planned, hybrid possible here: keeps the image's", null, {}, 'emulated', true],
    ['image compiler planned, crossCompile: false here', null, { hostSetting: false }, 'emulated', true],
    ['image compiler planned for a native target', null, { target: t('glibc-x86_64') }, 'native', true],
  ] as const)('%s', (_name, planned, over, mode, matches) => {
    const decision = decideCompiler({ ...base, ...over, planned } as CompilerInput);
    expect(decision.mode).toBe(mode);
    expect(decision.matchesPlan).toBe(matches);
    if (!matches) expect(decision.reason).toContain(`planned with toolchain ${planned}`);
  });
});

describe('the compiler in a build identity', () => {
  it.each([
    ['sha256:tc1', 'farm/builder-glibc-armv7:bootstrap-py3.11@sha256:img cc=sha256:tc1'],
    [undefined, 'farm/builder-glibc-armv7:bootstrap-py3.11@sha256:img'],
  ] as const)('round-trips %s', (toolchain, identity) => {
    expect(`farm/builder-glibc-armv7:bootstrap-py3.11@sha256:img${compilerIdentitySuffix(toolchain)}`).toBe(identity);
    expect(plannedCompiler(identity)).toBe(toolchain ?? null);
  });
});
