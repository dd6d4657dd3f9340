import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/targets/catalog.js';
import {
  archiveMetadata,
  expectedArchitecture,
  imageConfig,
  matchesPlatform,
} from '../../../src/images/image-archive.js';
import { planBootstrap, type TargetStep } from '../../../src/images/bootstrap-plan.js';
import { glibcScriptArgs } from '../../../src/images/glibc-bootstrap.js';
import { muslBuilderSpec } from '../../../src/images/musl-bootstrap.js';
import { binfmtHandler, binfmtUsable, hostDebianArch } from '../../../src/images/host-checks.js';
import { bootstrapImageName, interpreterPath, splitImageReference } from '../../../src/images/image-names.js';

const steps = planBootstrap({
  targets: [TARGETS.get('glibc-armv7')!, TARGETS.get('musl-x86_64')!],
  python: ['3.11'],
  mirror: 'http://deb.debian.org/debian',
  suite: 'bookworm',
  recipeFiles: { glibc: [], musl: [] },
}).filter((s): s is TargetStep => s.family !== 'toolchain');
const armv7 = steps.find((s) => s.target.id === 'glibc-armv7')!;
const musl = steps.find((s) => s.target.id === 'musl-x86_64')!;

describe('image archive for docker load', () => {
  const spec = {
    name: armv7.image,
    platform: 'linux/arm/v7' as const,
    labels: { 'farm.target': 'glibc-armv7' },
    env: { PATH: '/opt/python/cp311-cp311/bin:/bin', LANG: 'C.UTF-8' },
    cmd: ['/bin/bash'],
  };
  const diffId = 'sha256:' + 'c'.repeat(64);

  it('records the target architecture and variant in the image config', () => {
    expect(imageConfig(spec, diffId, '2025-01-01T00:00:00.000Z')).toEqual({
      architecture: 'arm',
      variant: 'v7',
      os: 'linux',
      created: '2025-01-01T00:00:00.000Z',
      config: {
        Env: ['LANG=C.UTF-8', 'PATH=/opt/python/cp311-cp311/bin:/bin'],
        Cmd: ['/bin/bash'],
        Labels: { 'farm.target': 'glibc-armv7' },
      },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2025-01-01T00:00:00.000Z', created_by: 'farm images bootstrap' }],
    });
    expect(imageConfig({ ...spec, platform: 'linux/amd64' }, diffId, 'now')).not.toHaveProperty('variant');
  });

  it('names the config by its digest and tags the image in the manifest', () => {
    const meta = archiveMetadata(spec, diffId, 'now');
    expect(meta.configName).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(meta.layerName).toBe(`${'c'.repeat(64)}/layer.tar`);
    expect(JSON.parse(meta.manifest.toString())).toEqual([
      { Config: meta.configName, RepoTags: ['farm/builder-glibc-armv7:bootstrap-py3.11'], Layers: [meta.layerName] },
    ]);
  });

  const platforms: [string, { Architecture: string; Variant?: string; Os?: string }, boolean][] = [
    ['linux/arm/v7', { Architecture: 'arm', Variant: 'v7' }, true],
    ['linux/arm/v7', { Architecture: 'arm', Variant: '' }, false],
    ['linux/arm/v7', { Architecture: 'amd64' }, false],
    ['linux/arm64', { Architecture: 'arm64', Variant: 'v8' }, true],
    ['linux/arm64', { Architecture: 'arm64' }, true],
    ['linux/amd64', { Architecture: 'amd64', Os: 'linux' }, true],
    ['linux/amd64', { Architecture: 'amd64', Os: 'windows' }, false],
  ];
  it.each(platforms)('%s matches %j: %s', (platform, image, ok) => {
    expect(matchesPlatform(image, platform as 'linux/amd64')).toBe(ok);
  });

  it('maps platforms to Docker architecture names', () => {
    expect(expectedArchitecture('linux/arm/v7')).toEqual({ architecture: 'arm', variant: 'v7' });
    expect(expectedArchitecture('linux/amd64')).toEqual({ architecture: 'amd64', variant: undefined });
  });
});

describe('bootstrap script arguments', () => {
  it('passes debootstrap parameters as separate argv elements', () => {
    expect(glibcScriptArgs(armv7, '/tmp/x/rootfs')).toEqual([
      '/tmp/x/rootfs',
      'armhf',
      'bookworm',
      'http://deb.debian.org/debian',
      '3.11',
    ]);
  });

  it('runs the musl build as argv in a throwaway container of the glibc image', () => {
    const spec = muslBuilderSpec(musl, '/opt/farm/builders', '/tmp/out', 'ab12') as Record<string, unknown>;
    expect(spec['Image']).toBe('farm/builder-glibc-x86_64:bootstrap-py3.11');
    expect(spec['name']).toBe('farm-bootstrap-musl-x86_64-ab12');
    expect(spec['platform']).toBe('linux/amd64');
    expect(spec['Cmd']).toEqual([
      'bash',
      '/farm/builders/build-rootfs.sh',
      'http://deb.debian.org/debian',
      'bookworm',
      '3.11',
      '/out/rootfs.tar',
    ]);
    expect((spec['HostConfig'] as { Binds: string[] }).Binds).toEqual([
      '/opt/farm/builders/musl:/farm/builders:ro',
      '/tmp/out:/out',
    ]);
  });
});

describe('host checks', () => {
  it('needs binfmt enabled with the F flag', () => {
    const entry = (state: string, flags: string) => `${state}\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: ${flags}\noffset 0\n`;
    expect(binfmtUsable(entry('enabled', 'PF'))).toBe(true);
    expect(binfmtUsable(entry('enabled', 'P'))).toBe(false);
    expect(binfmtUsable(entry('disabled', 'PF'))).toBe(false);
    expect(binfmtUsable('')).toBe(false);
  });
  it('names handlers and host architectures the Debian way', () => {
    expect(binfmtHandler('armhf')).toBe('qemu-arm');
    expect(binfmtHandler('arm64')).toBe('qemu-aarch64');
    expect(hostDebianArch('x64')).toBe('amd64');
    expect(hostDebianArch('arm64')).toBe('arm64');
  });
});

describe('image names', () => {
  it('follows the shared naming contract', () => {
    expect(bootstrapImageName('glibc-armv7', '3.11')).toBe('farm/builder-glibc-armv7:bootstrap-py3.11');
    expect(interpreterPath('3.11')).toBe('/opt/python/cp311-cp311/bin/python');
    expect(interpreterPath('3.9')).toBe('/opt/python/cp39-cp39/bin/python');
  });
  const refs: [string, string, string][] = [
    ['quay.io/pypa/manylinux_2_28_x86_64', 'quay.io/pypa/manylinux_2_28_x86_64', 'latest'],
    ['farm/builder-glibc-armv7:bootstrap-py3.11', 'farm/builder-glibc-armv7', 'bootstrap-py3.11'],
    ['localhost:5000/img', 'localhost:5000/img', 'latest'],
    ['localhost:5000/img:1', 'localhost:5000/img', '1'],
    ['img@sha256:abc', 'img', 'latest'],
  ];
  it.each(refs)('splits %s', (ref, repo, tag) => {
    expect(splitImageReference(ref)).toEqual({ repo, tag });
  });
});
