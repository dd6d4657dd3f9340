/**
 * The request job: root of a request's BullMQ flow. Its children, one
 * resolve job per target and Python version, run first; then it plans, runs
 * the build step (shared, deduplicated build and mirror jobs), regenerates
 * the index once per affected repository, and finishes the request. The
 * current step is saved in the job's data, so a rerun after a crash resumes
 * there.
 */
import type { Job, Processor } from 'bullmq';
import type { FarmConfig } from '../../config/schema.js';
import { targetSettings } from '../../config/target-settings.js';
import { effectiveRecipe, recipeHash, EMPTY_RECIPE, type EffectiveRecipe } from '../../recipes/effective-recipe.js';
import type { RecipeBook } from '../../recipes/load-recipes.js';
import { getTarget } from '../../targets/parse-targets.js';
import { validate } from '../../validation/validate.js';
import { planBuilds, type InventoryWheel, type PlanTarget } from './build-plan.js';
import { resolveJobId } from '../contract/job-ids.js';
import { RequestJobData, ResolveResult, type RecipeData, type RequestStep } from '../contract/job-data.js';
import type { FarmKeys } from '../store/keys.js';
import { resolveLogPath } from '../contract/log-paths.js';
import type { EventBody, RequestStore, StoredRequest } from '../store/request-store.js';
import { FINAL_REQUEST_STATES, countRows, type PackageRow, type RequestStatus } from '../contract/request-types.js';
import { readStoredPlan, writeStoredPlan, type StoredPlan } from '../store/stored-plan.js';
import { runBuildStep, type SchedulerDeps } from './task-scheduler.js';
import type { Redis } from 'ioredis';

export interface OrchestratorDeps extends SchedulerDeps {
  config: FarmConfig;
  store: RequestStore;
  redis: Redis;
  keys: FarmKeys;
  /** The recipes in force now (reloaded per request: users edit them between requests). */
  recipes: () => Promise<RecipeBook>;
}

/** The processor of the requests queue. */
export function requestProcessor(deps: OrchestratorDeps): Processor {
  return async (job, _token, signal) => {
    const data = validate(RequestJobData, job.data, `job ${job.id ?? '?'} data`);
    const run = new RequestRun(deps, job, await deps.store.input(data.requestId), await deps.store.status(data.requestId));
    try {
      await run.execute(data.step, signal);
      return { requestId: data.requestId, state: run.status.state };
    } catch (error) {
      // Out of attempts: the request must still end, or its watchers wait forever.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await run.fail(`the request job failed: ${(error as Error).message}`);
      throw error;
    }
  };
}

const key = (target: string, python: string) => `${target}/${python}`;

class RequestRun {
  constructor(
    readonly deps: OrchestratorDeps,
    readonly job: Job,
    readonly input: StoredRequest,
    readonly status: RequestStatus,
  ) {}

  get id(): string {
    return this.input.id;
  }

  async execute(first: RequestStep, signal?: AbortSignal): Promise<void> {
    if (FINAL_REQUEST_STATES.has(this.status.state)) return;
    let step = first;
    const advance = async (next: RequestStep) => {
      step = next;
      await this.job.updateData({ requestId: this.id, step: next } satisfies RequestJobData);
    };
    if (step === 'resolve') {
      if (await this.cancelledNow()) return;
      await this.collectResolutions();
      await advance('plan');
    }
    if (step === 'plan') {
      if (await this.cancelledNow()) return;
      if (!(await this.plan())) return;
      await advance('build');
    }
    if (step === 'build') {
      if (!(await this.build(signal))) {
        await this.cancel();
        return;
      }
      await advance('index');
    }
    if (step === 'index') {
      await this.index();
      await advance('done');
    }
    await this.finish('done');
  }

  async cancelledNow(): Promise<boolean> {
    if (!(await this.deps.store.isCancelled(this.id))) return false;
    await this.cancel();
    return true;
  }

  async setState(state: RequestStatus['state'], extra: EventBody[] = []): Promise<void> {
    this.status.state = state;
    await this.deps.store.save(this.status, [{ type: 'state', state }, ...extra]);
  }

  /** Reads the resolve children's results (values, or failures ignored by the flow). */
  async collectResolutions(): Promise<void> {
    await this.setState('resolving');
    const values = (await this.job.getChildrenValues()) as Record<string, unknown>;
    const failures = (await this.job.getIgnoredChildrenFailures()) as Record<string, string>;
    const resolutions: Record<string, ResolveResult> = {};
    const messages: EventBody[] = [];
    for (const target of this.input.targets) {
      for (const python of this.input.python[target] ?? []) {
        const jobId = resolveJobId(this.id, target, python);
        const valueKey = Object.keys(values).find((k) => k.endsWith(`:${jobId}`));
        const failureKey = Object.keys(failures).find((k) => k.endsWith(`:${jobId}`));
        const logPath = resolveLogPath(this.deps.stateDir, this.id, target, python);
        let result: ResolveResult;
        if (valueKey !== undefined) result = validate(ResolveResult, values[valueKey], `result of ${jobId}`);
        else result = { ok: false, error: failureKey !== undefined ? failures[failureKey]! : 'the resolution did not run', logPath };
        resolutions[key(target, python)] = result;
        this.status.resolveLogs[key(target, python)] = result.logPath;
        if (!result.ok) {
          const text = `resolution failed on ${target} py${python}: ${result.error.split('\n')[0]} (log: ${result.logPath})`;
          this.status.error = this.status.error === undefined ? text : `${this.status.error}\n${text}`;
          messages.push({ type: 'message', level: 'error', text });
        }
      }
    }
    await writeStoredPlan(this.deps.redis, this.deps.keys, this.id, { resolutions });
    await this.deps.store.save(this.status, messages);
  }

  /** Plans from the saved resolutions; false when nothing could be resolved (the request has failed). */
  async plan(): Promise<boolean> {
    await this.setState('planning');
    const stored = await readStoredPlan(this.deps.redis, this.deps.keys, this.id);
    const ok = Object.values(stored?.resolutions ?? {}).filter((r) => r.ok);
    if (stored === undefined || ok.length === 0) {
      await this.finish('failed', 'no target could be resolved');
      return false;
    }
    const book = await this.deps.recipes();
    const warnings: EventBody[] = book.problems.map((p) => ({
      type: 'message',
      level: 'warn',
      text: `recipe ${p.file}: ${p.path} ${p.message}; ignored`,
    }));
    const targets = new Map<string, PlanTarget & { images: Record<string, string> }>();
    for (const result of ok) {
      const target = getTarget(result.set.target);
      const planTarget = targets.get(target.id) ?? {
        target,
        repository: targetSettings(this.deps.config, target).repository,
        images: {},
      };
      // The compiler is part of the identity: hybrid builds name the cross toolchain's image.
      const compiler = result.image.toolchain === undefined ? '' : ` cc=${result.image.toolchain}`;
      planTarget.images[result.set.python] = `${result.image.reference}@${result.image.id}${compiler}`;
      targets.set(target.id, planTarget);
    }
    const projects = new Map<string, Set<string>>();
    for (const result of ok) {
      const repository = targets.get(result.set.target)!.repository;
      const names = projects.get(repository) ?? new Set<string>();
      for (const p of result.set.packages) names.add(p.name);
      projects.set(repository, names);
    }
    const inventory = new Map<string, InventoryWheel[]>();
    for (const [repository, names] of projects) inventory.set(repository, await this.deps.repo.listWheelEntries(repository, [...names]));
    const plan = planBuilds(
      ok.map((r) => r.set),
      [...targets.values()],
      (name, version, targetId) => {
        const recipe = recipeFor(book, name, version, targetId);
        return { hash: recipeHash(recipe), skip: recipe.skip?.reason ?? null };
      },
      inventory,
    );
    const plannedAt = Date.now();
    await writeStoredPlan(this.deps.redis, this.deps.keys, this.id, { ...stored, plannedAt, plan });
    this.status.rows = plan.rows.map((r): PackageRow => ({
      name: r.name,
      version: r.version,
      target: r.target,
      python: r.python,
      repository: r.repository,
      state: r.action === 'cached' ? 'cached' : r.action === 'skip' ? 'skipped' : 'resolved',
      ...(r.action === 'cached' || r.action === 'mirror' ? { wheel: r.wheel } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      ...(r.taskId !== undefined ? { jobId: r.taskId } : {}),
    }));
    const counts = countRows(this.status.rows);
    await this.deps.store.save(this.status, [
      ...warnings,
      {
        type: 'message',
        level: 'info',
        text: `plan: ${plan.builds.length} build jobs, ${plan.mirrors.length} mirror jobs, ${counts.cached ?? 0} cached, ${counts.skipped ?? 0} skipped`,
      },
      ...this.status.rows.map((row): EventBody => ({ type: 'row', row })),
    ]);
    return true;
  }

  /** Runs the build and mirror jobs; false when the request was cancelled meanwhile. */
  async build(signal?: AbortSignal): Promise<boolean> {
    await this.setState('building');
    const stored = (await readStoredPlan(this.deps.redis, this.deps.keys, this.id)) as Required<StoredPlan>;
    const book = await this.deps.recipes();
    return runBuildStep(
      this.deps,
      {
        requestId: this.id,
        plannedAt: stored.plannedAt,
        plan: stored.plan,
        rows: this.status.rows,
        buildData: (task) => ({
          buildId: task.id,
          requestId: this.id,
          name: task.name,
          displayName: task.displayName,
          version: task.version,
          target: task.target,
          python: task.python,
          repository: task.repository,
          image: task.image,
          recipeHash: task.recipeHash,
          recipe: toRecipeData(recipeFor(book, task.name, task.version, task.target)),
          sdist: { ...task.sdist },
          indexUrl: this.input.indexUrl,
          extraIndexUrls: this.input.extraIndexUrls,
        }),
        saveRows: (changed) => this.deps.store.save(this.status, changed.map((row): EventBody => ({ type: 'row', row: { ...row } }))),
        isCancelled: () => this.deps.store.isCancelled(this.id),
        rebuildFailed: this.input.rebuildFailed,
      },
      signal,
    );
  }

  /** Regenerates the index of every repository this request put wheels into: once each. */
  async index(): Promise<void> {
    const affected = [
      ...new Set(
        this.status.rows
          .filter((r) => r.state === 'built' || r.state === 'mirrored' || r.state === 'shared')
          .map((r) => r.repository)
          .filter((r): r is string => r !== undefined),
      ),
    ].sort();
    if (affected.length === 0) return;
    await this.setState('indexing');
    for (const repository of affected) {
      if (this.status.indexedRepositories.includes(repository)) continue;
      await this.deps.repo.regenerateIndex(repository);
      await this.deps.redis.incr(this.deps.keys.indexRuns(repository));
      this.status.indexedRepositories.push(repository);
      await this.deps.store.save(this.status, [{ type: 'message', level: 'info', text: `index of ${repository} regenerated` }]);
    }
  }

  async finish(state: 'done' | 'failed' | 'cancelled', error?: string): Promise<void> {
    this.status.state = state;
    this.status.finishedAt = new Date().toISOString();
    if (error !== undefined) this.status.error = this.status.error === undefined ? error : `${this.status.error}\n${error}`;
    await this.deps.store.save(this.status, [
      { type: 'state', state },
      { type: 'finished', state, counts: countRows(this.status.rows) },
    ]);
  }

  async fail(error: string): Promise<void> {
    if (!FINAL_REQUEST_STATES.has(this.status.state)) await this.finish('failed', error);
  }

  /** Ends a cancelled request: rows that had not ended are reported skipped. */
  async cancel(): Promise<void> {
    for (const row of this.status.rows) {
      if (row.state === 'resolved' || row.state === 'queued' || row.state === 'building' || (row.state === 'shared' && row.wheel === undefined)) {
        row.state = 'skipped';
        row.reason = 'cancelled';
      }
    }
    await this.finish('cancelled');
  }
}

function recipeFor(book: RecipeBook, name: string, version: string, targetId: string): EffectiveRecipe {
  try {
    return effectiveRecipe(book.recipes.get(name)?.recipe, targetId, version);
  } catch {
    // Not a PEP 440 version (pip would not have pinned it): no recipe applies.
    return EMPTY_RECIPE;
  }
}

function toRecipeData(recipe: EffectiveRecipe): RecipeData {
  return {
    packages: {
      apk: [...recipe.packages.apk],
      apt: [...recipe.packages.apt],
      dnf: [...recipe.packages.dnf],
      yum: [...recipe.packages.yum],
    },
    env: { ...recipe.env },
    before: recipe.before.map((argv) => [...argv]),
    buildRequires: [...recipe.buildRequires],
    rust: recipe.rust,
    importNames: [...recipe.importNames],
    skip: recipe.skip === null ? null : { reason: recipe.skip.reason },
    ...(recipe.crossCompile === false ? { crossCompile: false as const } : {}),
  };
}
