import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/targets/catalog.js';
import { ConfigError, UsageError } from '../../../src/errors.js';
import {
  planBootstrap as planAll,
  stepEnv,
  stepLabels,
  type PlanInput,
  type TargetStep,
} from '../../../src/images/bootstrap-plan.js';
import { rebuildReason } from '../../../src/images/bootstrap-images.js';
import { recipeHash } from '../../../src/images/recipe-hash.js';

const t = (id: string) => TARGETS.get(id)!;
const files = {
  glibc: [{ path: 'glibc/make-rootfs.sh', content: 'echo glibc' }],
  musl: [{ path: 'musl/build-rootfs.sh', content: 'echo musl' }],
};
/** The target images of a plan (the toolchain image has its own tests below). */
const planBootstrap = (i: PlanInput): TargetStep[] => planAll(i).filter((s): s is TargetStep => s.family !== 'toolchain');
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  targets: [t('glibc-x86_64'), t('glibc-armv7'), t('musl-x86_64')],
  python: ['3.11'],
  mirror: 'http://deb.debian.org/debian',
  suite: 'bookworm',
  recipeFiles: files,
  ...over,
});

describe('planBootstrap', () => {
  it('builds glibc images first, musl inside its same-architecture glibc image', () => {
    const steps = planBootstrap(input());
    expect(steps.map((s) => [s.image, s.family, s.builder, s.neededBy])).toEqual([
      ['farm/builder-glibc-x86_64:bootstrap-py3.11', 'glibc', undefined, undefined],
      ['farm/builder-glibc-armv7:bootstrap-py3.11', 'glibc', undefined, undefined],
      ['farm/builder-musl-x86_64:bootstrap-py3.11', 'musl', 'farm/builder-glibc-x86_64:bootstrap-py3.11', undefined],
    ]);
  });

  it('adds the builder image when only a musl target is asked for, and says why', () => {
    const steps = planBootstrap(input({ targets: [t('musl-aarch64')] }));
    expect(steps.map((s) => [s.target.id, s.neededBy])).toEqual([
      ['glibc-aarch64', 'musl-aarch64'],
      ['musl-aarch64', undefined],
    ]);
  });

  it('a builder asked for explicitly is not marked as pulled in', () => {
    const steps = planBootstrap(input({ targets: [t('musl-x86_64'), t('glibc-x86_64')] }));
    expect(steps.map((s) => [s.target.id, s.neededBy])).toEqual([
      ['glibc-x86_64', undefined],
      ['musl-x86_64', undefined],
    ]);
  });

  it('passes debootstrap its Debian architecture', () => {
    const steps = planBootstrap(input());
    expect(steps.map((s) => s.params['debianArch'])).toEqual(['amd64', 'armhf', undefined]);
  });

  it('refuses a Python the Debian suite does not ship, naming the one it does', () => {
    expect(() => planBootstrap(input({ python: ['3.12'] }))).toThrow(UsageError);
    expect(() => planBootstrap(input({ python: ['3.12'] }))).toThrow(/bookworm provides Python 3.11/);
    expect(planBootstrap(input({ suite: 'trixie', python: ['3.13'] }))).toHaveLength(3);
    expect(() => planBootstrap(input({ suite: 'trixie' }))).not.toThrow(ConfigError);
  });
});

describe('recipe hash', () => {
  const base = planBootstrap(input());
  const hashes = (i: PlanInput) => planBootstrap(i).map((s) => s.recipeHash);

  it('is a sha256 and differs per target', () => {
    for (const step of base) expect(step.recipeHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new Set(base.map((s) => s.recipeHash)).size).toBe(3);
  });

  it('is stable for the same scripts and parameters', () => {
    expect(hashes(input())).toEqual(base.map((s) => s.recipeHash));
  });

  const changes: [string, Partial<PlanInput>, boolean[]][] = [
    ['mirror', { mirror: 'http://mirror.example/debian' }, [true, true, true]],
    ['glibc script', { recipeFiles: { ...files, glibc: [{ path: 'glibc/make-rootfs.sh', content: 'x' }] } }, [true, true, true]],
    ['musl script', { recipeFiles: { ...files, musl: [{ path: 'musl/build-rootfs.sh', content: 'x' }] } }, [false, false, true]],
  ];
  it.each(changes)('changing the %s changes exactly the affected images', (_name, over, changed) => {
    const after = hashes(input(over));
    expect(after.map((h, i) => h !== base[i]!.recipeHash)).toEqual(changed);
  });

  it('does not depend on file or parameter order', () => {
    const a = [
      { path: 'a', content: '1' },
      { path: 'b', content: '2' },
    ];
    expect(recipeHash(a, { x: '1', y: '2' })).toBe(recipeHash([a[1]!, a[0]!], { y: '2', x: '1' }));
    expect(recipeHash(a, { x: '1' })).not.toBe(recipeHash(a, { x: '2' }));
    // A file boundary moved is a different recipe.
    expect(recipeHash([{ path: 'a', content: '12' }], {})).not.toBe(
      recipeHash([{ path: 'a', content: '1' }, { path: 'a2', content: '2' }], {}),
    );
  });
});

describe('planBootstrap: the cross toolchain image', () => {
  const toolchainFiles = { ...files, toolchain: [{ path: 'toolchain/make-rootfs.sh', content: 'echo tc' }] };
  it('is planned first on an x86_64 host when an ARM target is', () => {
    const steps = planAll(input({ recipeFiles: toolchainFiles }));
    expect(steps[0]).toMatchObject({
      family: 'toolchain',
      subject: 'toolchain',
      platform: 'linux/amd64',
      image: 'farm/cross-toolchain:bootstrap-bookworm',
      params: { suite: 'bookworm', gcc: '12' },
    });
    expect(steps.filter((s) => s.family === 'toolchain')).toHaveLength(1);
  });

  it.each([
    ['x86_64 targets only', { targets: [t('glibc-x86_64'), t('musl-x86_64')] }],
    ['an ARM host', { hostArch: 'arm64' }],
  ])('is not planned for %s', (_name, over) => {
    expect(planAll(input({ recipeFiles: toolchainFiles, ...over })).some((s) => s.family === 'toolchain')).toBe(false);
  });

  it('hashes its own scripts, not the builder images\'', () => {
    const a = planAll(input({ recipeFiles: toolchainFiles }));
    const b = planAll(input({ recipeFiles: { ...toolchainFiles, toolchain: [{ path: 'toolchain/make-rootfs.sh', content: 'echo tc2' }] } }));
    expect(a[0]!.recipeHash).not.toBe(b[0]!.recipeHash);
    // The shared builder images keep their hashes: every worktree's images stay valid.
    expect(a.slice(1).map((s) => s.recipeHash)).toEqual(b.slice(1).map((s) => s.recipeHash));
    expect(a.slice(1).map((s) => s.recipeHash)).toEqual(planAll(input()).slice(1).map((s) => s.recipeHash));
  });

  it('refuses musl-armv7, naming the official image its builds use', () => {
    expect(() => planAll(input({ targets: [t('musl-armv7')] }))).toThrow(/offline image for musl-armv7 yet/);
  });

  it('refuses a suite whose gcc it does not know', () => {
    expect(() => planAll(input({ suite: 'sid', python: [] }))).toThrow(/gcc/);
  });
});

describe('labels and environment', () => {
  const [glibc, armv7, musl] = planBootstrap(input());
  it('labels every image with target, Python, source and recipe hash', () => {
    expect(stepLabels(armv7!)).toEqual({
      'farm.target': 'glibc-armv7',
      'farm.python': '3.11',
      'farm.source': 'bootstrap',
      'farm.recipe-hash': armv7!.recipeHash,
      'farm.build-user': '1000',
    });
    expect(stepLabels(musl!)['farm.target']).toBe('musl-x86_64');
  });
  it('puts the contract interpreter first on PATH', () => {
    expect(stepEnv(glibc!)['PATH']).toMatch(/^\/opt\/python\/cp311-cp311\/bin:/);
  });
});

describe('rebuildReason', () => {
  const labelled = (hash: string) => ({ Config: { Labels: { 'farm.recipe-hash': hash } } });
  const cases: [string, ReturnType<typeof labelled> | undefined, boolean, string | undefined][] = [
    ['missing image', undefined, false, 'missing'],
    ['same hash', labelled('h'), false, undefined],
    ['same hash, forced', labelled('h'), true, 'forced'],
    ['other hash', labelled('old'), false, 'recipe changed'],
  ];
  it.each(cases)('%s', (_name, present, force, expected) => {
    expect(rebuildReason(present, 'h', force)).toBe(expected);
  });
});
