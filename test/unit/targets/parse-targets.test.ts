import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { TARGETS } from '../../../src/targets/catalog.js';
import { getTarget, parseTargets } from '../../../src/targets/parse-targets.js';

describe('parseTargets', () => {
  it.each([
    ['musl-x86_64,glibc-armv7', ['musl-x86_64', 'glibc-armv7']],
    [' glibc-x86_64 , glibc-x86_64 ', ['glibc-x86_64']],
    ['glibc-aarch64,musl-aarch64,', ['glibc-aarch64', 'musl-aarch64']],
  ])('%j → %j', (input, ids) => {
    expect(parseTargets(input).map((t) => t.id)).toEqual(ids);
  });

  it.each(['glibc-sparc', 'musl-x86_64,glibc-sparc', '', ' , '])('rejects %j listing every valid id', (input) => {
    const error = (() => {
      try {
        parseTargets(input);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    for (const id of TARGETS.keys()) expect((error as Error).message).toContain(id);
    expect((error as UsageError).exitCode).toBe(2);
  });

  it('getTarget returns the catalog entry', () => {
    expect(getTarget('glibc-armv7')).toMatchObject({
      libc: 'glibc',
      arch: 'armv7l',
      platform: 'linux/arm/v7',
      repository: 'glibc',
      debianArch: 'armhf',
    });
  });
});

describe('target catalog', () => {
  it.each([...TARGETS.values()])('$id is consistent', (t) => {
    expect(t.id).toBe(`${t.libc}-${t.arch === 'armv7l' ? 'armv7' : t.arch}`);
    expect(t.repository).toBe(t.libc);
    const platformOf = { x86_64: 'linux/amd64', aarch64: 'linux/arm64', armv7l: 'linux/arm/v7' } as const;
    expect(t.platform).toBe(platformOf[t.arch]);
    expect(t.officialImage).toMatch(t.libc === 'glibc' ? /manylinux_2_\d+_/ : /musllinux_1_\d+_/);
    expect(Object.isFrozen(t)).toBe(true);
  });
});
