import { describe, expect, it } from 'vitest';
import { planBuilds, type InventoryWheel, type PlanTarget, type RecipeLookup } from '../../../../src/pipeline/request-job/build-plan.js';
import type { ResolvedPackage, ResolvedSet } from '../../../../src/pipeline/contract/resolved-set.js';
import { TARGETS } from '../../../../src/targets/catalog.js';

const target = (id: string): PlanTarget => ({
  target: TARGETS.get(id)!,
  repository: TARGETS.get(id)!.repository,
  images: { '3.11': `img-${id}-311`, '3.12': `img-${id}-312` },
});
const X86 = target('glibc-x86_64');
const ARM = target('glibc-armv7');
const MUSL = target('musl-x86_64');

const sdist = (name: string, requiresDist: string[] = []): ResolvedPackage => ({
  name,
  displayName: name,
  version: '1.0',
  kind: 'sdist',
  url: `http://up/files/${name}-1.0.tar.gz`,
  filename: `${name}-1.0.tar.gz`,
  sha256: 'a'.repeat(64),
  requiresDist,
  requested: true,
  fromRepository: false,
});
const wheel = (name: string, file = `${name.replace(/-/g, '_')}-1.0-py3-none-any.whl`): ResolvedPackage => ({
  ...sdist(name),
  kind: 'wheel',
  url: `http://up/files/${file}`,
  filename: file,
});
const set = (t: PlanTarget, packages: ResolvedPackage[], python = '3.11'): ResolvedSet => ({
  target: t.target.id,
  python,
  pipVersion: '23.0.1',
  environment: {},
  packages,
  buildEnvs: [],
});
const noRecipes: RecipeLookup = () => ({ hash: 'sha256:empty', skip: null });
const none = new Map<string, InventoryWheel[]>();
/** A glibc inventory of wheels without provenance (mirrored, added, adopted). */
const glibc = (files: string[]) => new Map([['glibc', files.map((filename) => ({ filename }))]]);

describe('planBuilds', () => {
  it('builds an sdist first on one target (native before emulated); the others reuse it if it is pure', () => {
    // Given in "slow first" order: the planner still builds on x86_64 first.
    const plan = planBuilds([set(ARM, [sdist('p')]), set(X86, [sdist('p')]), set(MUSL, [sdist('p')])], [ARM, X86, MUSL], noRecipes, none);
    const first = plan.builds.find((b) => b.target === 'glibc-x86_64')!;
    expect(first.reusePureFrom).toBeUndefined();
    // Another target of the same repository, and another repository alike.
    expect(plan.builds.find((b) => b.target === 'glibc-armv7')!.reusePureFrom).toBe(first.id);
    expect(plan.builds.find((b) => b.target === 'musl-x86_64')!.reusePureFrom).toBe(first.id);
    expect(plan.rows.every((r) => r.action === 'build')).toBe(true);
  });

  it('mirrors an upstream wheel once per repository, serving every target that chose it', () => {
    const plan = planBuilds([set(X86, [wheel('w')]), set(ARM, [wheel('w')]), set(MUSL, [wheel('w')])], [X86, ARM, MUSL], noRecipes, none);
    expect(plan.mirrors.map((m) => m.repository).sort()).toEqual(['glibc', 'musl']);
    expect(plan.builds).toEqual([]);
    const glibcRows = plan.rows.filter((r) => r.repository === 'glibc');
    expect(new Set(glibcRows.map((r) => r.taskId)).size).toBe(1);
  });

  it.each([
    ['the exact platform wheel', ['p-1.0-cp311-cp311-linux_x86_64.whl'], 'cached', 'p-1.0-cp311-cp311-linux_x86_64.whl'],
    ['a pure wheel', ['p-1.0-py3-none-any.whl'], 'cached', 'p-1.0-py3-none-any.whl'],
    ['a wheel for another architecture only', ['p-1.0-cp311-cp311-linux_armv7l.whl'], 'build', undefined],
    ['another version only', ['p-0.9-py3-none-any.whl'], 'build', undefined],
    ['another Python only', ['p-1.0-cp312-cp312-linux_x86_64.whl'], 'build', undefined],
    ['a normalised-equal version', ['p-1.0.0-py3-none-any.whl'], 'cached', 'p-1.0.0-py3-none-any.whl'],
    ['junk in the inventory', ['not-a-wheel.txt'], 'build', undefined],
  ])('cache: %s', (_label, files, action, wheelName) => {
    const plan = planBuilds([set(X86, [sdist('p')])], [X86], noRecipes, glibc(files));
    expect(plan.rows[0]).toMatchObject({ action, ...(wheelName ? { wheel: wheelName } : {}) });
  });

  it.each([
    ['built with the same recipe', 'sha256:empty', 'cached'],
    ['built with another recipe', 'sha256:old', 'build'],
    ['without provenance (mirrored, added, adopted)', undefined, 'cached'],
  ])('the recipe is part of the cache key: a wheel %s → %s', (_label, recipeHash, action) => {
    const wheel: InventoryWheel = { filename: 'p-1.0-cp311-cp311-linux_x86_64.whl', ...(recipeHash !== undefined ? { recipeHash } : {}) };
    const plan = planBuilds([set(X86, [sdist('p')])], [X86], noRecipes, new Map([['glibc', [wheel]]]));
    expect(plan.rows[0]!.action).toBe(action);
  });

  it('a rebuild with the current recipe is chosen over the older build (a higher build tag)', () => {
    const plan = planBuilds([set(X86, [sdist('p')])], [X86], noRecipes, new Map([['glibc', [
      { filename: 'p-1.0-cp311-cp311-linux_x86_64.whl', recipeHash: 'sha256:old' },
      { filename: 'p-1.0-1-cp311-cp311-linux_x86_64.whl', recipeHash: 'sha256:empty' },
    ]]]));
    expect(plan.rows[0]).toMatchObject({ action: 'cached', wheel: 'p-1.0-1-cp311-cp311-linux_x86_64.whl' });
  });

  it('a pure wheel in a repository serves every target of it; the other repository still needs one', () => {
    const plan = planBuilds(
      [set(X86, [sdist('p')]), set(ARM, [sdist('p')]), set(MUSL, [sdist('p')])],
      [X86, ARM, MUSL],
      noRecipes,
      glibc(['p-1.0-py3-none-any.whl']),
    );
    expect(plan.rows.map((r) => [r.target, r.action])).toEqual([
      ['glibc-armv7', 'cached'],
      ['glibc-x86_64', 'cached'],
      ['musl-x86_64', 'build'],
    ]);
  });

  it('skips what a recipe skips, with its reason, and puts the recipe hash in the build identity', () => {
    const recipes: RecipeLookup = (name, _v, t) =>
      name === 'skipme' && t === 'glibc-armv7' ? { hash: 'h1', skip: 'no armv7 support' } : { hash: name === 'p' ? 'h-p' : 'h0', skip: null };
    const plan = planBuilds([set(ARM, [sdist('skipme'), sdist('p')])], [ARM], recipes, none);
    expect(plan.rows.find((r) => r.name === 'skipme')).toMatchObject({ action: 'skip', reason: 'no armv7 support' });
    const other = planBuilds([set(ARM, [sdist('p')])], [ARM], () => ({ hash: 'different', skip: null }), none);
    expect(other.builds[0]!.id).not.toBe(plan.builds[0]!.id);
    expect(plan.builds[0]!.recipeHash).toBe('h-p');
  });

  it('orders builds by dependencies within a target (a → b → c), ignoring extras and unknown names', () => {
    const plan = planBuilds(
      [set(X86, [sdist('a', ['b>=1.0', 'docs-tool ; extra == "docs"']), sdist('b', ['c']), sdist('c', ['requests'])])],
      [X86],
      noRecipes,
      none,
    );
    const id = (n: string) => plan.builds.find((b) => b.name === n)!.id;
    expect(plan.builds.find((b) => b.name === 'a')!.dependsOn).toEqual([id('b')]);
    expect(plan.builds.find((b) => b.name === 'b')!.dependsOn).toEqual([id('c')]);
    expect(plan.builds.find((b) => b.name === 'c')!.dependsOn).toEqual([]);
  });

  it('depends on mirror tasks too, and not on cached packages', () => {
    const plan = planBuilds([set(X86, [sdist('a', ['w', 'cachedpkg']), wheel('w'), sdist('cachedpkg')])], [X86], noRecipes, glibc(['cachedpkg-1.0-py3-none-any.whl']));
    expect(plan.builds.find((b) => b.name === 'a')!.dependsOn).toEqual([plan.mirrors[0]!.id]);
  });

  it('breaks dependency cycles so the order is a DAG', () => {
    const plan = planBuilds([set(X86, [sdist('x', ['y']), sdist('y', ['x'])])], [X86], noRecipes, none);
    const edges = plan.builds.reduce((n, b) => n + b.dependsOn.length, 0);
    expect(edges).toBe(1);
  });

  it('plans per Python version, and a pure build serves the other Python versions too', () => {
    const plan = planBuilds([set(X86, [sdist('p')], '3.11'), set(X86, [sdist('p')], '3.12')], [X86], noRecipes, none);
    expect(plan.builds).toHaveLength(2);
    expect(plan.builds.filter((b) => b.reusePureFrom !== undefined)).toHaveLength(1);
  });

  it('a wheel pip found in the repository itself is cached, even before the index knows it', () => {
    const local = { ...wheel('p'), url: 'file:///repo/p-1.0-py3-none-any.whl', fromRepository: true };
    const plan = planBuilds([set(X86, [local])], [X86], noRecipes, none);
    expect(plan.rows[0]).toMatchObject({ action: 'cached', wheel: 'p-1.0-py3-none-any.whl' });
    expect(plan.mirrors).toEqual([]);
  });

  it('is deterministic', () => {
    const args = [[set(X86, [sdist('b'), sdist('a', ['b'])]), set(ARM, [sdist('a', ['b']), sdist('b')])], [X86, ARM], noRecipes, none] as const;
    expect(planBuilds(...args)).toEqual(planBuilds(...args));
  });
});

describe('planBuilds: build dependencies', () => {
  const setuptools = wheel('setuptools', 'setuptools-68.0-py3-none-any.whl');
  const helper = { ...sdist('helper'), requested: false };
  const env = (name: string, packages: ResolvedPackage[], error?: string) => ({
    name,
    version: '1.0',
    requires: packages.map((p) => p.name),
    packages,
    ...(error !== undefined ? { error } : {}),
  });
  const withEnvs = (t: PlanTarget, packages: ResolvedPackage[], envs: ReturnType<typeof env>[]): ResolvedSet => ({ ...set(t, packages), buildEnvs: envs });

  it('plans build-only packages as build dependencies and points each build at the wheels of its environment', () => {
    const plan = planBuilds(
      [withEnvs(X86, [sdist('user')], [env('user', [setuptools, helper]), env('helper', [setuptools])])],
      [X86],
      noRecipes,
      none,
    );
    const row = (name: string) => plan.rows.find((r) => r.name === name)!;
    expect(row('user')).toMatchObject({ action: 'build' });
    expect(row('user').buildDependency).toBeUndefined();
    expect(row('helper')).toMatchObject({ action: 'build', buildDependency: true });
    expect(row('setuptools')).toMatchObject({ action: 'mirror', buildDependency: true, wheel: 'setuptools-68.0-py3-none-any.whl' });
    const user = plan.builds.find((b) => b.name === 'user')!;
    const helperTask = plan.builds.find((b) => b.name === 'helper')!;
    expect(user.buildDeps).toEqual([
      { name: 'setuptools', version: '1.0', taskId: plan.mirrors[0]!.id },
      { name: 'helper', version: '1.0', taskId: helperTask.id },
    ]);
    expect(helperTask.buildDeps).toEqual([{ name: 'setuptools', version: '1.0', taskId: plan.mirrors[0]!.id }]);
    // One mirror of setuptools serves both environments.
    expect(plan.mirrors).toHaveLength(1);
  });

  it('a build dependency already in the repository is installed from there', () => {
    const plan = planBuilds([withEnvs(X86, [sdist('user')], [env('user', [setuptools])])], [X86], noRecipes, glibc(['setuptools-1.0-py3-none-any.whl']));
    expect(plan.builds[0]!.buildDeps).toEqual([{ name: 'setuptools', version: '1.0', wheel: 'setuptools-1.0-py3-none-any.whl' }]);
    expect(plan.mirrors).toEqual([]);
  });

  it('an sdist whose build environment has an error fails in the plan, and builds that need it are blocked', () => {
    const plan = planBuilds(
      [withEnvs(X86, [sdist('user')], [env('user', [helper]), env('helper', [], "its build requirements form a cycle: helper 1.0 → helper 1.0")])],
      [X86],
      noRecipes,
      none,
    );
    expect(plan.rows.find((r) => r.name === 'helper')).toMatchObject({ action: 'fail', reason: expect.stringContaining('form a cycle') });
    expect(plan.builds.map((b) => b.name)).toEqual(['user']);
    expect(plan.builds[0]!.buildDeps[0]).toMatchObject({ name: 'helper', problem: expect.stringContaining("it can't be built: its build requirements form a cycle") });
  });

  it('a build dependency skipped by its recipe blocks the builds that need it', () => {
    const recipes: RecipeLookup = (name) => ({ hash: 'sha256:empty', skip: name === 'helper' ? 'not on this target' : null });
    const plan = planBuilds([withEnvs(X86, [sdist('user')], [env('user', [helper])])], [X86], recipes, none);
    expect(plan.builds.find((b) => b.name === 'user')!.buildDeps).toEqual([{ name: 'helper', version: '1.0', problem: 'skipped by its recipe (not on this target)' }]);
  });

  it('the build environment is part of the build identity', () => {
    const a = planBuilds([withEnvs(X86, [sdist('user')], [env('user', [setuptools])])], [X86], noRecipes, none);
    const b = planBuilds([withEnvs(X86, [sdist('user')], [env('user', [{ ...setuptools, version: '69.0' }])])], [X86], noRecipes, none);
    expect(a.builds[0]!.id).not.toBe(b.builds[0]!.id);
  });

  it('a package that is both asked for and a build dependency is one row, not a build dependency', () => {
    const plan = planBuilds([withEnvs(X86, [sdist('user'), helper], [env('user', [helper]), env('helper', [])])], [X86], noRecipes, none);
    const helperRows = plan.rows.filter((r) => r.name === 'helper');
    expect(helperRows).toHaveLength(1);
    expect(helperRows[0]!.buildDependency).toBeUndefined();
  });

  it('never drops a build-dependency edge to break a cycle: the run-time edge goes', () => {
    // user build-requires helper; helper depends on user at run time.
    const helperNeedsUser = { ...helper, requiresDist: ['user'] };
    const plan = planBuilds([withEnvs(X86, [sdist('user'), helperNeedsUser], [env('user', [helperNeedsUser]), env('helper', [])])], [X86], noRecipes, none);
    const user = plan.builds.find((b) => b.name === 'user')!;
    const helperTask = plan.builds.find((b) => b.name === 'helper')!;
    expect(user.buildDeps.map((d) => d.taskId)).toEqual([helperTask.id]);
    expect(helperTask.dependsOn).toEqual([]);
  });
});
