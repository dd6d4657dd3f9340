/**
 * The planner: from what pip resolved per target and Python version, what
 * the repositories already hold, and the recipes, decide for every pinned
 * package whether it is cached, mirrored, built or skipped. Pure: no I/O,
 * same input, same plan.
 *
 * Pure-Python wheels serve every target, so a project that upstream ships
 * only as an sdist is built first on one target (the fastest: native before
 * emulated); the other targets build it only when that first build turned
 * out not to be pure. Otherwise they take that wheel, copied into their own
 * repository when it is another one: one build, one file per repository.
 *
 * Build dependencies are planned like the set's own packages: every sdist's
 * build environment (found per target and Python by the resolve job) brings
 * its pinned wheels into the plan as cached, mirrored or built rows, marked
 * as build dependencies when nothing else asked for them, and each build
 * task lists the wheels its compile installs (`buildDeps`) with the tasks
 * that make them. Those tasks come first; the scheduler holds the build
 * until every one of them has succeeded.
 */
import type { Target } from '../../targets/catalog.js';
import { servingWheel, type InventoryWheel } from '../../repository/serving-wheel.js';
import { normalizeVersion } from '../../wheels/version-equality.js';
import { buildJobId, mirrorJobId } from '../contract/job-ids.js';
import type { BuildDepRef, BuildPlan, BuildTask, MirrorTask, PlannedRow } from '../contract/plan.js';
import { dependencyName, type BuildEnv, type ResolvedPackage, type ResolvedSet } from '../contract/resolved-set.js';

/** A target as the planner sees it. */
export interface PlanTarget {
  readonly target: Target;
  /** Repository directory its wheels land in. */
  readonly repository: string;
  /** Builder image per Python version (with its digest when known). */
  readonly images: Readonly<Record<string, string>>;
}

/** What the planner needs from a project's effective recipe on one target. */
export interface RecipeInfo {
  /** `recipeHash()`: part of the build identity. */
  readonly hash: string;
  /** Skip reason, or null. */
  readonly skip: string | null;
}

/** Effective recipe facts for `(name, version, target)`. */
export type RecipeLookup = (name: string, version: string, targetId: string) => RecipeInfo;

export type { InventoryWheel };

/** Wheels per repository, as the repository inventory lists them. */
export type Inventory = ReadonlyMap<string, readonly InventoryWheel[]>;

/** Native architectures first: a pure wheel is built where building is fastest. */
const ARCH_SPEED: Readonly<Record<string, number>> = { x86_64: 0, aarch64: 1, armv7l: 2 };

/**
 * Plans a request. `resolved` holds one set per `(target, python)`; every
 * target named there must be in `targets`.
 *
 * @throws TypeError when a resolved set names an unknown target or a Python
 *   version without an image (a programming error, not user input).
 */
export function planBuilds(
  resolved: readonly ResolvedSet[],
  targets: readonly PlanTarget[],
  recipes: RecipeLookup,
  inventory: Inventory,
): BuildPlan {
  const byId = new Map(targets.map((t) => [t.target.id, t]));
  const order = (set: ResolvedSet): [number, number] => {
    const t = byId.get(set.target);
    return [ARCH_SPEED[t?.target.arch ?? ''] ?? 9, targets.findIndex((x) => x.target.id === set.target)];
  };
  // Visit the fastest targets first, so they become the "first build" of a project.
  const sets = [...resolved].sort((a, b) => {
    const [sa, ia] = order(a);
    const [sb, ib] = order(b);
    return sa - sb || ia - ib;
  });

  const rows: PlannedRow[] = [];
  const mirrors = new Map<string, MirrorTask>();
  const builds = new Map<string, BuildTask & { dependsOn: string[]; buildDeps: BuildDepRef[] }>();
  /** `name/version` → first build task id. */
  const firstBuild = new Map<string, string>();
  /** `target/python/name` → task serving it, for dependency edges. */
  const taskOf = new Map<string, string>();
  /** `target/python/name==version` → how the wheel gets into the repository, for build environments. */
  const refOf = new Map<string, BuildDepRef>();
  const pending: { task: BuildTask & { dependsOn: string[]; buildDeps: BuildDepRef[] }; pkg: ResolvedPackage; set: ResolvedSet; env: BuildEnv | undefined }[] = [];

  for (const set of sets) {
    const planTarget = byId.get(set.target);
    if (planTarget === undefined) throw new TypeError(`planBuilds: unknown target ${set.target}`);
    const { target, repository } = planTarget;
    const envs = new Map(set.buildEnvs.map((e) => [`${e.name}==${normalizeVersion(e.version)}`, e]));
    const at = (pkg: Pick<ResolvedPackage, 'name' | 'version'>) => `${target.id}/${set.python}/${pkg.name}==${normalizeVersion(pkg.version)}`;
    for (const { pkg, buildDependency } of packagesOf(set)) {
      const base = {
        name: pkg.name,
        version: pkg.version,
        target: target.id,
        python: set.python,
        repository,
        ...(buildDependency ? { buildDependency: true } : {}),
      };
      const ref = (r: Omit<BuildDepRef, 'name' | 'version'>) => refOf.set(at(pkg), { name: pkg.name, version: pkg.version, ...r });
      const recipe = recipes(pkg.name, pkg.version, target.id);
      if (recipe.skip !== null) {
        rows.push({ ...base, action: 'skip', reason: recipe.skip });
        ref({ problem: `skipped by its recipe (${recipe.skip})` });
        continue;
      }
      // A wheel farm built counts only when built with the current recipe: the recipe is part of the cache key.
      const cached = servingWheel(inventory.get(repository) ?? [], { name: pkg.name, version: pkg.version, recipeHash: recipe.hash }, target, set.python);
      if (cached !== undefined) {
        rows.push({ ...base, action: 'cached', wheel: cached });
        ref({ wheel: cached });
        continue;
      }
      if (pkg.fromRepository) {
        // In packages/ but not in the inventory yet (copied in by hand): `farm index` adopts it.
        rows.push({ ...base, action: 'cached', wheel: pkg.filename, reason: 'in the repository, not indexed yet (farm index)' });
        ref({ wheel: pkg.filename });
        continue;
      }
      if (pkg.kind === 'wheel') {
        const id = mirrorJobId(repository, pkg.filename, pkg.sha256);
        if (!mirrors.has(id)) {
          mirrors.set(id, {
            id,
            repository,
            name: pkg.name,
            version: pkg.version,
            filename: pkg.filename,
            url: pkg.url,
            ...(pkg.sha256 !== undefined ? { sha256: pkg.sha256 } : {}),
          });
        }
        rows.push({ ...base, action: 'mirror', wheel: pkg.filename, taskId: id });
        if (!buildDependency) taskOf.set(`${target.id}/${set.python}/${pkg.name}`, id);
        ref({ taskId: id });
        continue;
      }
      const env = envs.get(`${pkg.name}==${normalizeVersion(pkg.version)}`);
      if (env?.error !== undefined) {
        rows.push({ ...base, action: 'fail', reason: env.error });
        ref({ problem: `it can't be built: ${env.error}` });
        continue;
      }
      const image = planTarget.images[set.python];
      if (image === undefined) throw new TypeError(`planBuilds: no image for ${target.id} python ${set.python}`);
      const id = buildJobId({
        name: pkg.name,
        version: pkg.version,
        target: target.id,
        python: set.python,
        image,
        recipeHash: recipe.hash,
        buildEnv: (env?.packages ?? []).map((p) => `${p.name}==${normalizeVersion(p.version)}`),
      });
      const groupKey = `${pkg.name}/${normalizeVersion(pkg.version)}`;
      const first = firstBuild.get(groupKey);
      if (first === undefined) firstBuild.set(groupKey, id);
      const task = {
        id,
        name: pkg.name,
        displayName: pkg.displayName,
        version: pkg.version,
        target: target.id,
        python: set.python,
        repository,
        image,
        recipeHash: recipe.hash,
        sdist: { url: pkg.url, filename: pkg.filename, ...(pkg.sha256 !== undefined ? { sha256: pkg.sha256 } : {}) },
        dependsOn: [] as string[],
        buildDeps: [] as BuildDepRef[],
        ...(first !== undefined && first !== id ? { reusePureFrom: first } : {}),
      };
      if (!builds.has(id)) {
        builds.set(id, task);
        pending.push({ task, pkg, set, env });
      }
      rows.push({ ...base, action: 'build', taskId: id });
      if (!buildDependency) taskOf.set(`${target.id}/${set.python}/${pkg.name}`, id);
      ref({ taskId: id });
    }
  }

  for (const { task, pkg, set, env } of pending) {
    for (const requirement of pkg.requiresDist) {
      const dep = dependencyName(requirement);
      if (dep === undefined || dep === pkg.name) continue;
      const depTask = taskOf.get(`${set.target}/${set.python}/${dep}`);
      if (depTask !== undefined && depTask !== task.id && !task.dependsOn.includes(depTask)) task.dependsOn.push(depTask);
    }
    task.dependsOn.sort();
    if (env === undefined) {
      task.buildDeps.push({ name: pkg.name, version: pkg.version, problem: 'farm found no build environment for it (resolve it again)' });
      continue;
    }
    for (const dep of env.packages) {
      const found = refOf.get(`${set.target}/${set.python}/${dep.name}==${normalizeVersion(dep.version)}`);
      task.buildDeps.push(found ?? { name: dep.name, version: dep.version, problem: 'it is not in the plan' });
    }
  }
  breakCycles(builds);

  return {
    rows: rows.sort(compareRows),
    mirrors: [...mirrors.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    builds: [...builds.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

/**
 * The set's own packages, then the packages of its build environments that
 * the set does not have in the same version (build dependencies only).
 */
function packagesOf(set: ResolvedSet): { pkg: ResolvedPackage; buildDependency: boolean }[] {
  const seen = new Set(set.packages.map((p) => `${p.name}==${normalizeVersion(p.version)}`));
  const extra: ResolvedPackage[] = [];
  for (const env of set.buildEnvs) {
    for (const p of env.packages) {
      const key = `${p.name}==${normalizeVersion(p.version)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      extra.push(p);
    }
  }
  extra.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
  return [...set.packages.map((pkg) => ({ pkg, buildDependency: false })), ...extra.map((pkg) => ({ pkg, buildDependency: true }))];
}

function compareRows(a: PlannedRow, b: PlannedRow): number {
  const ka = `${a.name}\0${a.target}\0${a.python}\0${a.version}`;
  const kb = `${b.name}\0${b.target}\0${b.python}\0${b.version}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Dependency cycles exist (projects that depend on each other); a build
 * order needs a DAG. Drops the edge that closes each cycle, deterministically
 * (tasks and edges visited in id order). Build-dependency edges are never
 * dropped (a compile can't do without its build environment; the resolve
 * job already refused cycles among them alone): when one closes a cycle, the
 * latest run-time or reuse edge on the way round goes instead.
 */
function breakCycles(builds: Map<string, { dependsOn: string[]; reusePureFrom?: string; buildDeps: BuildDepRef[] }>): void {
  type Kind = 'build' | 'runtime' | 'reuse';
  const state = new Map<string, 'visiting' | 'done'>();
  /** The DFS path: each task with the edge that reached it. */
  const path: { id: string; from?: string; kind?: Kind }[] = [];
  const drop = (from: string, to: string, kind: Kind) => {
    const task = builds.get(from)!;
    if (kind === 'reuse') delete task.reusePureFrom;
    else if (kind === 'runtime') task.dependsOn.splice(task.dependsOn.indexOf(to), 1);
  };
  const visit = (id: string, from?: string, kind?: Kind) => {
    state.set(id, 'visiting');
    path.push({ id, ...(from !== undefined ? { from } : {}), ...(kind !== undefined ? { kind } : {}) });
    const task = builds.get(id)!;
    const edges: [string, Kind][] = [
      ...task.buildDeps.map((d) => d.taskId).filter((t): t is string => t !== undefined).map((t): [string, Kind] => [t, 'build']),
      ...task.dependsOn.map((t): [string, Kind] => [t, 'runtime']),
      // A reuse link is an edge too: the later build waits for the first one.
      ...(task.reusePureFrom !== undefined ? [[task.reusePureFrom, 'reuse'] as [string, Kind]] : []),
    ];
    for (const [dep, edge] of edges) {
      if (!builds.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'visiting') {
        if (edge !== 'build') {
          drop(id, dep, edge);
        } else {
          const start = path.findIndex((p) => p.id === dep);
          const breakable = path.slice(start + 1).reverse().find((p) => p.kind !== 'build');
          if (breakable !== undefined) drop(breakable.from!, breakable.id, breakable.kind!);
        }
      } else if (s === undefined) {
        visit(dep, id, edge);
      }
    }
    path.pop();
    state.set(id, 'done');
  };
  for (const id of [...builds.keys()].sort()) if (!state.has(id)) visit(id);
}
