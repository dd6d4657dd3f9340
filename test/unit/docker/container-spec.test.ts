import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  CACHE_MOUNT_PATH,
  DEFAULT_LIMITS,
  buildContainerSpec,
  cacheVolumeName,
  isRootUser,
  type BuildStepInput,
  type StepContextInput,
} from '../../../src/docker/container-spec.js';

const NASTY = `x; touch /tmp/pwned $(id) \`id\` | && > '"`;

const step: BuildStepInput = {
  image: 'farm/builder-glibc-x86_64:bootstrap-py3.11',
  platform: 'linux/amd64',
  argv: ['/opt/python/cp311-cp311/bin/python', '-m', 'pip', 'wheel', '-w', '/out', 'numpy==1.26.4'],
};
const ctx: StepContextInput = { jobId: 'job-1', workerId: 'w-1', targetId: 'glibc-x86_64' };

describe('buildContainerSpec: argv', () => {
  it.each([
    ['a plain pip command', step.argv],
    ['shell metacharacters in one element', ['python', '-m', 'pip', 'download', NASTY]],
    ['empty and whitespace elements', ['echo', '', ' ', '\t', 'a b']],
    ['newlines and globs', ['echo', 'line1\nline2', '*', '~', '$HOME']],
    ['unicode', ['echo', 'päckage', '名前']],
  ])('keeps %s as the exact Cmd array, with no shell', (_name, argv) => {
    const spec = buildContainerSpec({ ...step, argv }, ctx);
    expect(spec.Cmd).toEqual(argv);
    expect(spec.Cmd).not.toBe(argv);
    expect(spec.Entrypoint).toBeUndefined();
    expect(spec.Tty).toBe(false);
  });

  it('overrides the entrypoint only when the step asks for it', () => {
    const spec = buildContainerSpec({ ...step, entrypoint: ['/bin/busybox'], argv: ['echo', NASTY] }, ctx);
    expect(spec.Entrypoint).toEqual(['/bin/busybox']);
    expect(spec.Cmd).toEqual(['echo', NASTY]);
  });

  it.each([
    ['an empty argv', { argv: [] }, 'argv'],
    ['a NUL byte in argv', { argv: ['echo', 'a\0b'] }, 'argv.1'],
    ['a relative workdir', { workdir: 'src' }, 'workdir'],
    ['a bad env name', { env: { 'A=B': 'x' } }, 'env.A=B'],
    ['a relative input path', { inputs: [{ hostPath: 'in', containerPath: '/in' }] }, 'inputs.0.hostPath'],
    ['a ".." output path', { output: { hostPath: '/srv/../etc', containerPath: '/out' } }, 'output.hostPath'],
    ['an unknown platform', { platform: 'linux/s390x' }, 'platform'],
    ['a mount over the cache', { inputs: [{ hostPath: '/x', containerPath: CACHE_MOUNT_PATH }] }, 'inputs.0.containerPath'],
    [
      'two mounts on one path',
      { output: { hostPath: '/o', containerPath: '/w' }, inputs: [{ hostPath: '/i', containerPath: '/w' }] },
      'inputs.0.containerPath',
    ],
  ])('rejects %s with a ConfigError naming the path', (_name, patch, path) => {
    let error: unknown;
    try {
      buildContainerSpec({ ...step, ...patch } as BuildStepInput, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toContain(path);
  });
});

describe('buildContainerSpec: labels, user, network, platform', () => {
  it.each([
    [
      'without a request',
      ctx,
      { 'farm.managed': 'true', 'farm.job': 'job-1', 'farm.worker': 'w-1', 'farm.target': 'glibc-x86_64' },
    ],
    [
      'with a request',
      { ...ctx, requestId: 'req-9' },
      { 'farm.managed': 'true', 'farm.job': 'job-1', 'farm.worker': 'w-1', 'farm.target': 'glibc-x86_64', 'farm.request': 'req-9' },
    ],
  ])('labels the container %s', (_name, context, labels) => {
    expect(buildContainerSpec(step, context).Labels).toEqual(labels);
  });

  it.each([
    ['default', undefined, '1000:1000', true],
    ['explicit uid:gid', '1001:1001', '1001:1001', true],
    ['root by uid', '0:0', '0:0', false],
    ['root by name', 'root', 'root', false],
  ])('user %s', (_name, user, expected, dropsCaps) => {
    const spec = buildContainerSpec({ ...step, ...(user === undefined ? {} : { user }) }, ctx);
    expect(spec.User).toBe(expected);
    expect(spec.HostConfig?.SecurityOpt).toEqual(['no-new-privileges']);
    expect(spec.HostConfig?.CapDrop).toEqual(dropsCaps ? ['ALL'] : undefined);
    expect(isRootUser(expected)).toBe(!dropsCaps);
  });

  it.each([
    ['bridge', 'bridge'],
    ['host', 'host'],
    ['none', 'none'],
    [undefined, 'bridge'],
  ] as const)('network %s becomes NetworkMode %s', (network, mode) => {
    const spec = buildContainerSpec(step, { ...ctx, ...(network === undefined ? {} : { network }) });
    expect(spec.HostConfig?.NetworkMode).toBe(mode);
  });

  it('joins a network holder\'s namespace when networkOf is set', () => {
    const id = 'a'.repeat(64);
    expect(buildContainerSpec(step, { ...ctx, network: 'none', networkOf: id }).HostConfig?.NetworkMode).toBe(`container:${id}`);
  });

  it.each([
    ['with a network', { network: 'bridge' as const, networkOf: 'a'.repeat(12) }],
    ['not a container id', { network: 'none' as const, networkOf: 'host' }],
  ])('refuses networkOf %s', (_name, patch) => {
    expect(() => buildContainerSpec(step, { ...ctx, ...patch })).toThrow(ConfigError);
  });

  it.each(['linux/amd64', 'linux/arm64', 'linux/arm/v7'] as const)('passes platform %s to create', (platform) => {
    expect(buildContainerSpec({ ...step, platform }, ctx).platform).toBe(platform);
  });

  it('sets the container name only when given', () => {
    expect(buildContainerSpec(step, ctx).name).toBeUndefined();
    expect(buildContainerSpec(step, { ...ctx, name: 'farm-job-1' }).name).toBe('farm-job-1');
  });
});

describe('buildContainerSpec: limits', () => {
  it.each([
    ['defaults', undefined, DEFAULT_LIMITS.memoryBytes, 2e9, DEFAULT_LIMITS.pids],
    ['explicit', { memoryBytes: 512 * 1024 ** 2, cpus: 1.5, pids: 256 }, 512 * 1024 ** 2, 1.5e9, 256],
    ['partial', { cpus: 0.5 }, DEFAULT_LIMITS.memoryBytes, 5e8, DEFAULT_LIMITS.pids],
  ])('%s', (_name, limits, memory, nanoCpus, pids) => {
    const host = buildContainerSpec({ ...step, ...(limits === undefined ? {} : { limits }) }, ctx).HostConfig;
    expect(host?.Memory).toBe(memory);
    expect(host?.MemorySwap).toBe(memory);
    expect(host?.NanoCpus).toBe(nanoCpus);
    expect(host?.PidsLimit).toBe(pids);
  });
});

describe('buildContainerSpec: mounts and env', () => {
  it('mounts the target cache volume, the output read-write and every input read-only', () => {
    const spec = buildContainerSpec(
      {
        ...step,
        output: { hostPath: '/srv/farm/.farm/out/job-1' },
        inputs: [
          { hostPath: '/srv/src/pkg-1.0.tar.gz', containerPath: '/in/pkg-1.0.tar.gz' },
          { hostPath: '/srv/recipes', containerPath: '/recipes' },
        ],
      },
      ctx,
    );
    expect(spec.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'farm-cache-glibc-x86_64', Target: '/farm/cache', ReadOnly: false },
      { Type: 'bind', Source: '/srv/farm/.farm/out/job-1', Target: '/out', ReadOnly: false },
      { Type: 'bind', Source: '/srv/src/pkg-1.0.tar.gz', Target: '/in/pkg-1.0.tar.gz', ReadOnly: true },
      { Type: 'bind', Source: '/srv/recipes', Target: '/recipes', ReadOnly: true },
    ]);
  });

  it.each([
    ['default prefix', undefined, 'musl-x86_64', 'farm-cache-musl-x86_64'],
    ['test prefix', 'farm-test-docker-cache-', 'glibc-armv7', 'farm-test-docker-cache-glibc-armv7'],
  ])('names the cache volume with the %s', (_name, prefix, targetId, volume) => {
    expect(cacheVolumeName(targetId, prefix)).toBe(volume);
    const spec = buildContainerSpec(step, { ...ctx, targetId, ...(prefix === undefined ? {} : { cacheVolumePrefix: prefix }) });
    expect(spec.HostConfig?.Mounts?.[0]?.Source).toBe(volume);
  });

  it('leaves the cache out when the step opts out', () => {
    const spec = buildContainerSpec({ ...step, cache: false }, ctx);
    expect(spec.HostConfig?.Mounts).toEqual([]);
    expect(spec.Env?.some((e) => e.startsWith('PIP_CACHE_DIR='))).toBe(false);
  });

  it('puts defaults first and lets the step override them', () => {
    const spec = buildContainerSpec({ ...step, env: { PIP_INDEX_URL: 'http://127.0.0.1:8080/simple/', HOME: '/work' } }, ctx);
    expect(spec.Env).toEqual([
      'HOME=/work',
      'PYTHONUNBUFFERED=1',
      'PIP_DISABLE_PIP_VERSION_CHECK=1',
      'PIP_NO_INPUT=1',
      'PIP_CACHE_DIR=/farm/cache/pip',
      'FARM_DOWNLOAD_DIR=/farm/cache/downloads',
      'PIP_INDEX_URL=http://127.0.0.1:8080/simple/',
    ]);
  });

  it('keeps env values verbatim, metacharacters included', () => {
    const spec = buildContainerSpec({ ...step, env: { FARM_PACKAGE: NASTY } }, ctx);
    expect(spec.Env).toContain(`FARM_PACKAGE=${NASTY}`);
  });

  it('sets the working directory only when given', () => {
    expect(buildContainerSpec(step, ctx).WorkingDir).toBeUndefined();
    expect(buildContainerSpec({ ...step, workdir: '/src' }, ctx).WorkingDir).toBe('/src');
  });

  it('does not mutate its input', () => {
    const input = structuredClone(step);
    buildContainerSpec(input, ctx);
    expect(input).toEqual(step);
  });
});
