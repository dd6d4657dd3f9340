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
