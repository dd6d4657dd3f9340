import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  canonicalJson,
  EMPTY_RECIPE,
  effectiveRecipe,
  recipeHash,
} from '../../../src/recipes/effective-recipe.js';
import { Recipe } from '../../../src/recipes/recipe-schema.js';

const recipe = (data: unknown): Recipe => Recipe.parse(data);

const PYYAML = recipe({
  packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
  env: { A: 'base', B: 'base' },
  before: [['base-step']],
  importNames: ['yaml'],
  overrides: [
    { targets: ['glibc-armv7'], packages: { apt: ['libffi-dev'] }, env: { A: 'armv7' } },
    { versions: '<6', before: [['old-step']], importNames: ['yaml', '_yaml'], buildRequires: ['cython<3'] },
    { targets: ['glibc-armv7'], versions: '>=6,<7', env: { A: 'armv7-6' }, rust: true },
    { targets: ['musl-aarch64'], skip: { reason: 'no musl arm64 runners' } },
    { targets: ['musl-aarch64'], versions: '>=7.0.0rc1', skip: null },
  ],
});

describe('effectiveRecipe: overrides per target and version', () => {
  it.each([
    {
      target: 'glibc-x86_64',
      version: '6.0.1',
      packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
      env: { A: 'base', B: 'base' },
      before: [['base-step']],
      importNames: ['yaml'],
      buildRequires: [],
      rust: false,
      skip: null,
    },
    {
      // target override only: package sets merge, env merges key by key
      target: 'glibc-armv7',
      version: '7.0',
      packages: { apk: ['yaml-dev'], apt: ['libffi-dev', 'libyaml-dev'] },
      env: { A: 'armv7', B: 'base' },
      before: [['base-step']],
      importNames: ['yaml'],
      buildRequires: [],
      rust: false,
      skip: null,
    },
    {
      // target + version override on top of the target one: later env wins
      target: 'glibc-armv7',
      version: '6.0.1',
      packages: { apk: ['yaml-dev'], apt: ['libffi-dev', 'libyaml-dev'] },
      env: { A: 'armv7-6', B: 'base' },
      before: [['base-step']],
      importNames: ['yaml'],
      buildRequires: [],
      rust: true,
      skip: null,
    },
    {
      // version override only: lists like before/importNames are replaced
      target: 'glibc-x86_64',
      version: '5.4.1',
      packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
      env: { A: 'base', B: 'base' },
      before: [['old-step']],
      importNames: ['yaml', '_yaml'],
      buildRequires: ['cython<3'],
      rust: false,
      skip: null,
    },
    {
      // a pre-release matches a range like a final release would
      target: 'glibc-x86_64',
      version: '5.0b1',
      packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
      env: { A: 'base', B: 'base' },
      before: [['old-step']],
      importNames: ['yaml', '_yaml'],
      buildRequires: ['cython<3'],
      rust: false,
      skip: null,
    },
    {
      target: 'musl-aarch64',
      version: '6.0.1',
      packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
      env: { A: 'base', B: 'base' },
      before: [['base-step']],
      importNames: ['yaml'],
      buildRequires: [],
      rust: false,
      skip: { reason: 'no musl arm64 runners' },
    },
    {
      // skip: null in a later override cancels the skip
      target: 'musl-aarch64',
      version: '7.0.0rc1',
      packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'] },
      env: { A: 'base', B: 'base' },
      before: [['base-step']],
      importNames: ['yaml'],
      buildRequires: [],
      rust: false,
      skip: null,
    },
  ])('$target $version', ({ target, version, packages, ...rest }) => {
    const effective = effectiveRecipe(PYYAML, target, version);
    expect(effective).toEqual({
      packages: { dnf: [], yum: [], ...packages },
      ...rest,
      runtimePackages: { apk: [], apt: [], dnf: [], yum: [] },
      network: false,
      networkReason: null,
    });
  });

  it('merges runtime packages like packages; network and its reason are replaced together', () => {
    const r = recipe({
      runtimePackages: { apt: ['libyaml-0-2'] },
      network: true,
      networkReason: 'downloads libfoo',
      overrides: [
        { targets: ['glibc-armv7'], runtimePackages: { apt: ['libffi8'] }, network: false },
        { targets: ['musl-x86_64'], network: true, networkReason: 'musl: fetches a patch' },
      ],
    });
    expect(effectiveRecipe(r, 'glibc-x86_64', '1.0')).toMatchObject({
      runtimePackages: { apt: ['libyaml-0-2'] },
      network: true,
      networkReason: 'downloads libfoo',
    });
    expect(effectiveRecipe(r, 'glibc-armv7', '1.0')).toMatchObject({
      runtimePackages: { apt: ['libffi8', 'libyaml-0-2'] },
      network: false,
      networkReason: null,
    });
    expect(effectiveRecipe(r, 'musl-x86_64', '1.0')).toMatchObject({ network: true, networkReason: 'musl: fetches a patch' });
  });

  it('a project without a recipe gets the empty recipe', () => {
    expect(effectiveRecipe(undefined, 'glibc-x86_64', '1.0')).toBe(EMPTY_RECIPE);
    expect(effectiveRecipe(recipe({}), 'glibc-x86_64', '1.0')).toEqual(EMPTY_RECIPE);
  });

  it('base skip applies everywhere unless an override cancels it', () => {
    const r = recipe({ skip: { reason: 'ships wheels' }, overrides: [{ targets: ['glibc-armv7'], skip: null }] });
    expect(effectiveRecipe(r, 'glibc-x86_64', '1.0').skip).toEqual({ reason: 'ships wheels' });
    expect(effectiveRecipe(r, 'glibc-armv7', '1.0').skip).toBeNull();
  });

  it('dedupes and sorts package sets', () => {
    const r = recipe({ packages: { apt: ['b', 'a'] }, overrides: [{ packages: { apt: ['a', 'c'] } }] });
    expect(effectiveRecipe(r, 'glibc-x86_64', '1.0').packages.apt).toEqual(['a', 'b', 'c']);
  });

  it('refuses a version that is not PEP 440', () => {
    expect(() => effectiveRecipe(PYYAML, 'glibc-x86_64', 'latest')).toThrow(UsageError);
  });

  it('does not mutate the recipe', () => {
    const before = structuredClone(PYYAML);
    const e = effectiveRecipe(PYYAML, 'glibc-x86_64', '5.0') as unknown as { before: string[][] };
    e.before[0]!.push('mutated');
    expect(PYYAML).toEqual(before);
  });
});

describe('recipeHash', () => {
  const e = (data: unknown, target = 'glibc-x86_64', version = '6.0.1') =>
    effectiveRecipe(recipe(data), target, version);

  it('is a sha256 and stable across calls and key order', () => {
    const a = e({ env: { X: '1', Y: '2' }, packages: { apt: ['p', 'q'], apk: ['r'] } });
    const b = e({ packages: { apk: ['r'], apt: ['q', 'p'] }, env: { Y: '2', X: '1' } });
    expect(recipeHash(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(recipeHash(a)).toBe(recipeHash(a));
    expect(recipeHash(a)).toBe(recipeHash(b));
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('is pinned: the empty recipe always hashes the same (cache keys survive restarts)', () => {
    expect(recipeHash(EMPTY_RECIPE)).toBe(recipeHash(e({})));
    expect(recipeHash(EMPTY_RECIPE)).toMatchInlineSnapshot(
      `"sha256:646645b6a07320b4caaed42b8af5959c33b7cf99e77a30d26124f4fcf0c3a715"`,
    );
  });

  it.each([
    ['a package added', { packages: { apt: ['libyaml-dev', 'libffi-dev'] } }],
    ['a package for another manager', { packages: { apt: ['libyaml-dev'], dnf: ['libyaml-devel'] } }],
    ['an env value', { packages: { apt: ['libyaml-dev'] }, env: { CFLAGS: '-O2' } }],
    ['a before command', { packages: { apt: ['libyaml-dev'] }, before: [['true']] }],
    ['rust', { packages: { apt: ['libyaml-dev'] }, rust: true }],
    ['import names', { packages: { apt: ['libyaml-dev'] }, importNames: ['yaml'] }],
    ['build requirements', { packages: { apt: ['libyaml-dev'] }, buildRequires: ['cython'] }],
    ['a skip', { packages: { apt: ['libyaml-dev'] }, skip: { reason: 'x' } }],
    ['runtime packages', { packages: { apt: ['libyaml-dev'] }, runtimePackages: { apt: ['libyaml-0-2'] } }],
    ['network', { packages: { apt: ['libyaml-dev'] }, network: true, networkReason: 'fetches sources' }],
    ['a matching override', { packages: { apt: ['libyaml-dev'] }, overrides: [{ versions: '>=6', rust: true }] }],
  ])('changes when the effective recipe changes: %s', (_name, changed) => {
    const base = recipeHash(e({ packages: { apt: ['libyaml-dev'] } }));
    expect(recipeHash(e(changed))).not.toBe(base);
  });

  it('does not change for keys added later when a recipe leaves them unset (cached wheels stay cached)', () => {
    const base = recipeHash(e({ packages: { apt: ['libyaml-dev'] } }));
    expect(recipeHash(e({ packages: { apt: ['libyaml-dev'] }, network: false }))).toBe(base);
    expect(recipeHash(e({ packages: { apt: ['libyaml-dev'] }, runtimePackages: { apt: [] } }))).toBe(base);
  });

  it.each([
    ['an override for another target', { targets: ['musl-x86_64'], rust: true }],
    ['an override for another version range', { versions: '<6', rust: true }],
  ])('does not change for %s', (_name, override) => {
    const base = recipeHash(e({ packages: { apt: ['libyaml-dev'] } }));
    expect(recipeHash(e({ packages: { apt: ['libyaml-dev'] }, overrides: [override] }))).toBe(base);
  });
});
