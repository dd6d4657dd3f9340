import { describe, expect, it } from 'vitest';
import { HostError } from '../../../src/errors.js';
import type { BinfmtStatus } from '../../../src/docker/binfmt-status.js';
import {
  chooseHost,
  enableEmulationHint,
  nativePlatform,
  resolveHostPlatforms,
  type HostLoad,
} from '../../../src/docker/host-placement.js';
import { TARGETS, type DockerPlatform, type Target } from '../../../src/targets/catalog.js';

const target = (id: string): Target => TARGETS.get(id)!;

const binfmt = (handlers: Partial<BinfmtStatus['handlers']>, mounted = true, globallyEnabled = true): BinfmtStatus => ({
  mounted,
  globallyEnabled,
  handlers: { 'qemu-arm': 'missing', 'qemu-aarch64': 'missing', 'qemu-x86_64': 'missing', ...handlers },
});

describe('nativePlatform', () => {
  it.each([
    ['x86_64', 'linux/amd64'],
    ['amd64', 'linux/amd64'],
    ['aarch64', 'linux/arm64'],
    ['arm64', 'linux/arm64'],
    ['armv7l', 'linux/arm/v7'],
    ['s390x', undefined],
  ])('%s -> %s', (arch, platform) => {
    expect(nativePlatform(arch)).toBe(platform);
  });
});

describe('resolveHostPlatforms', () => {
  it.each<[string, 'auto' | DockerPlatform[], string, BinfmtStatus | undefined, DockerPlatform[], DockerPlatform[]]>([
    ['auto, both qemu handlers on', 'auto', 'x86_64', binfmt({ 'qemu-arm': 'enabled', 'qemu-aarch64': 'enabled' }), ['linux/amd64'], ['linux/arm64', 'linux/arm/v7']],
    ['auto, arm only', 'auto', 'x86_64', binfmt({ 'qemu-arm': 'enabled', 'qemu-aarch64': 'disabled' }), ['linux/amd64'], ['linux/arm/v7']],
    ['auto, binfmt_misc not mounted', 'auto', 'x86_64', binfmt({ 'qemu-arm': 'enabled' }, false, false), ['linux/amd64'], []],
    ['auto, binfmt globally off', 'auto', 'x86_64', binfmt({ 'qemu-arm': 'enabled' }, true, false), ['linux/amd64'], []],
    ['auto, remote host (binfmt unknown)', 'auto', 'x86_64', undefined, ['linux/amd64'], []],
    ['auto on an arm64 host with qemu-x86_64', 'auto', 'aarch64', binfmt({ 'qemu-x86_64': 'enabled' }), ['linux/arm64'], ['linux/amd64']],
    ['explicit list', ['linux/amd64', 'linux/arm/v7'], 'x86_64', undefined, ['linux/amd64'], ['linux/arm/v7']],
    ['explicit list without the native one', ['linux/arm64'], 'x86_64', undefined, [], ['linux/arm64']],
  ])('%s', (_name, configured, arch, status, native, emulated) => {
    expect(resolveHostPlatforms(configured, arch, status)).toEqual({ native, emulated });
  });
});

const host = (name: string, native: DockerPlatform[], emulated: DockerPlatform[], load: Partial<HostLoad> = {}): HostLoad => ({
  name,
  native,
  emulated,
  concurrency: 2,
  active: 0,
  pending: 0,
  ...load,
});

describe('chooseHost', () => {
  const x86 = host('x86', ['linux/amd64'], ['linux/arm/v7', 'linux/arm64']);
  const x86Busy = host('x86-busy', ['linux/amd64'], [], { active: 2, pending: 3 });
  const pi = host('pi', ['linux/arm/v7'], [], { active: 1 });
  const graviton = host('graviton', ['linux/arm64'], [], { concurrency: 8, active: 6 });

  it.each([
    ['a native host over an emulating one, even when busier', [x86, pi], 'glibc-armv7', 'pi'],
    ['the emulating host when no native one exists', [x86], 'glibc-armv7', 'x86'],
    ['the least loaded native host', [x86Busy, x86], 'glibc-x86_64', 'x86'],
    ['load relative to concurrency', [host('small', ['linux/arm64'], [], { concurrency: 1, active: 1 }), graviton], 'musl-aarch64', 'graviton'],
    ['config order on a tie', [x86, host('x86-2', ['linux/amd64'], [])], 'musl-x86_64', 'x86'],
  ])('prefers %s', (_name, hosts, targetId, expected) => {
    expect(chooseHost(hosts, target(targetId)).name).toBe(expected);
  });

  it.each([
    ['glibc-armv7', 'qemu-arm'],
    ['glibc-aarch64', 'qemu-aarch64'],
    ['musl-aarch64', 'qemu-aarch64'],
  ])('says emulation is off for %s and how to enable %s', (targetId, handler) => {
    let error: unknown;
    try {
      chooseHost([host('x86', ['linux/amd64'], [])], target(targetId));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    const { message, hint } = error as HostError;
    expect(message).toContain(targetId);
    expect(message).toContain('natively');
    expect(message).toContain(`binfmt/qemu emulation (${handler}) is not enabled`);
    expect(hint).toContain(
      `sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && sudo update-binfmts --enable ${handler}`,
    );
    expect(hint).toContain('sudo scripts/setup-host.sh');
  });

  it('gives the arm hint for arm/v7', () => {
    expect(enableEmulationHint('linux/arm/v7')).toContain('--enable qemu-arm ');
  });

  it('reports a host list that is empty', () => {
    expect(() => chooseHost([], target('glibc-x86_64'))).toThrow(HostError);
  });
});
