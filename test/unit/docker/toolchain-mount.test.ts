import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { CCACHE_PATH, buildContainerSpec, type BuildStepInput } from '../../../src/docker/container-spec.js';
import {
  TOOLCHAIN_MOUNT_PATH,
  toolchainPath,
  toolchainVolumeName,
} from '../../../src/docker/toolchain-mount.js';
import { TOOLCHAIN_READY_MARKER, toolchainPopulateSpec } from '../../../src/docker/toolchain-volume.js';

const IMAGE_PATH = '/opt/python/cp311-cp311/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const step: BuildStepInput = {
  image: 'farm/builder-glibc-armv7:bootstrap-py3.11',
  platform: 'linux/arm/v7',
  argv: ['/opt/python/cp311-cp311/bin/python', '/in/farm/build.py'],
};
const ctx = { jobId: 'job-1', workerId: 'w-1', targetId: 'glibc-armv7' };
const volume = toolchainVolumeName('sha256:0123456789abcdef0123456789abcdef');

const envOf = (spec: { Env?: string[] }) => Object.fromEntries((spec.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('toolchainPath', () => {
  it.each([
    ['hybrid with ccache', { cross: 'armv7l', ccache: true }, `/farm/toolchain/ccache/bin:/farm/toolchain/armv7l/bin:${IMAGE_PATH}`],
    ['hybrid without ccache', { cross: 'aarch64', ccache: false }, `/farm/toolchain/aarch64/bin:${IMAGE_PATH}`],
    ['ccache in front of the image compiler', { ccache: true }, `/farm/toolchain/ccache/bin:${IMAGE_PATH}`],
    ['nothing', { ccache: false }, IMAGE_PATH],
  ] as const)('%s', (_name, use, expected) => {
    expect(toolchainPath(use, IMAGE_PATH)).toBe(expected);
  });
});

describe('toolchainVolumeName', () => {
  it('is named after the image id, so a new toolchain gets a new volume', () => {
    expect(toolchainVolumeName('sha256:0123456789abcdef0123')).toBe('farm-toolchain-0123456789abcdef');
    expect(toolchainVolumeName('sha256:aaaa')).not.toBe(toolchainVolumeName('sha256:bbbb'));
  });
});

describe('buildContainerSpec with the toolchain', () => {
  it('mounts the volume read-only and puts the hybrid compiler and ccache first on PATH', () => {
    const spec = buildContainerSpec({ ...step, toolchain: { volume, cross: 'armv7l', basePath: IMAGE_PATH } }, ctx);
    expect(spec.HostConfig?.Mounts).toContainEqual({ Type: 'volume', Source: volume, Target: TOOLCHAIN_MOUNT_PATH, ReadOnly: true });
    const env = envOf(spec);
    expect(env['PATH']).toBe(`/farm/toolchain/ccache/bin:/farm/toolchain/armv7l/bin:${IMAGE_PATH}`);
    expect(env['FARM_COMPILER']).toBe('hybrid-arm-linux-gnueabihf');
    expect(env['CCACHE_DIR']).toBe(CCACHE_PATH);
    expect(env['CCACHE_BASEDIR']).toBe('/tmp');
    expect(env['CCACHE_NOHASHDIR']).toBe('1');
    // The image and platform are untouched: Python and pip stay the target's (emulated) ones.
    expect(spec.Image).toBe(step.image);
    expect(spec.platform).toBe('linux/arm/v7');
  });

  it("prepends to the step's own PATH when it sets one", () => {
    const spec = buildContainerSpec({ ...step, env: { PATH: '/recipe/bin:/usr/bin' }, toolchain: { volume, cross: 'aarch64', ccache: false, basePath: IMAGE_PATH } }, ctx);
    expect(envOf(spec)['PATH']).toBe('/farm/toolchain/aarch64/bin:/recipe/bin:/usr/bin');
    expect(envOf(spec)['CCACHE_DIR']).toBeUndefined();
  });

  it('adds nothing without a toolchain', () => {
    const spec = buildContainerSpec(step, ctx);
    expect(envOf(spec)['PATH']).toBeUndefined();
    expect(spec.HostConfig?.Mounts?.some((m) => m.Target === TOOLCHAIN_MOUNT_PATH)).toBe(false);
  });

  it.each([
    ['ccache without the cache volume', { cache: false, toolchain: { volume, basePath: IMAGE_PATH } }, 'toolchain.ccache'],
    ['an input over the toolchain', { toolchain: { volume, ccache: false, basePath: IMAGE_PATH }, inputs: [{ hostPath: '/x', containerPath: TOOLCHAIN_MOUNT_PATH }] }, 'inputs.0.containerPath'],
    ['an unknown cross architecture', { toolchain: { volume, cross: 'riscv64', basePath: IMAGE_PATH } }, 'toolchain.cross'],
  ])('rejects %s', (_name, patch, path) => {
    let error: unknown;
    try {
      buildContainerSpec({ ...step, ...patch } as BuildStepInput, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(path);
  });
});

describe('toolchainPopulateSpec', () => {
  it('runs the check natively with the volume writable, labelled for the sweeper', () => {
    const spec = toolchainPopulateSpec({ image: 'farm/cross-toolchain:bootstrap-bookworm', workerId: 'w-1' }, volume);
    expect(spec.platform).toBe('linux/amd64');
    expect(spec.Cmd).toContain(TOOLCHAIN_READY_MARKER);
    expect(spec.HostConfig?.Mounts).toEqual([{ Type: 'volume', Source: volume, Target: TOOLCHAIN_MOUNT_PATH, ReadOnly: false }]);
    expect(spec.HostConfig?.NetworkMode).toBe('none');
    expect(spec.Labels?.['farm.worker']).toBe('w-1');
  });
});
