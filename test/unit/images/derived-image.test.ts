import { describe, expect, it } from 'vitest';
import { derivedCommitConfig, derivedImageKey, derivedImageReference, type DerivedImageRequest } from '../../../src/images/derived-image.js';

const request = (over: Partial<DerivedImageRequest> = {}): DerivedImageRequest => ({
  base: { reference: 'farm/builder-glibc-armv7:bootstrap-py3.11', id: `sha256:${'a'.repeat(64)}` },
  targetId: 'glibc-armv7',
  platform: 'linux/arm/v7',
  steps: [
    { argv: ['apt-get', 'update'], env: { DEBIAN_FRONTEND: 'noninteractive' } },
    { argv: ['apt-get', 'install', '-y', 'libjpeg-dev', 'zlib1g-dev'], env: { DEBIAN_FRONTEND: 'noninteractive' } },
  ],
  ...over,
});

describe('derivedImageKey', () => {
  it('is stable, and the same for the same base image and steps (environment in any order)', () => {
    const a = derivedImageKey(request());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(derivedImageKey(request({ base: { reference: 'other:name', id: `sha256:${'a'.repeat(64)}` } }))).toBe(a);
    const envOrder = request({ steps: [{ argv: ['x'], env: { A: '1', B: '2' } }] });
    expect(derivedImageKey(envOrder)).toBe(derivedImageKey(request({ steps: [{ argv: ['x'], env: { B: '2', A: '1' } }] })));
  });

  it.each([
    ['another base image digest', request({ base: { reference: 'farm/builder-glibc-armv7:bootstrap-py3.11', id: `sha256:${'b'.repeat(64)}` } })],
    ['another package', request({ steps: [{ argv: ['apt-get', 'install', '-y', 'libjpeg-dev'], env: {} }] })],
    ['another platform', request({ platform: 'linux/arm64' })],
  ])('changes with %s', (_name, changed) => {
    expect(derivedImageKey(changed)).not.toBe(derivedImageKey(request()));
  });

  it('names the image per target with a key prefix', () => {
    expect(derivedImageReference('glibc-armv7', 'f'.repeat(64))).toBe(`farm/derived-glibc-armv7:${'f'.repeat(24)}`);
  });
});

describe('derivedCommitConfig', () => {
  it('restores the base image’s user, command and environment, and labels what the image is', () => {
    const key = derivedImageKey(request());
    const config = derivedCommitConfig(request(), key, {
      User: '',
      Cmd: ['/bin/bash'],
      Env: ['PATH=/opt/python/cp311-cp311/bin:/usr/bin'],
      Labels: { 'farm.target': 'glibc-armv7', 'farm.source': 'bootstrap' },
    });
    expect(config).toMatchObject({ User: '', Cmd: ['/bin/bash'], Entrypoint: [], Env: ['PATH=/opt/python/cp311-cp311/bin:/usr/bin'] });
    expect(config['Labels']).toEqual({
      'farm.target': 'glibc-armv7',
      'farm.source': 'derived',
      'farm.derived.key': key,
      'farm.derived.base': `farm/builder-glibc-armv7:bootstrap-py3.11@sha256:${'a'.repeat(64)}`,
      'farm.derived.steps': JSON.stringify([['apt-get', 'update'], ['apt-get', 'install', '-y', 'libjpeg-dev', 'zlib1g-dev']]),
    });
  });
});
