/**
 * The request job: root of a request's BullMQ flow. Its children, one
 * resolve job per target and Python version, run first; then it plans, runs
 * the build step (shared, deduplicated build and mirror jobs), regenerates
 * the index once per affected repository, and finishes the request. The
 * current step is saved in the job's data, so a rerun after a crash resumes
 * there: which step runs when is `advanceSteps`'s decision (request-steps.ts),
 * every change of the request's status a `StatusEvent` the store applies
 * (contract/request-lifecycle.ts); this file does the I/O.
 */
import type { Job, Processor } from 'bullmq';
import type { FarmConfig } from '../../config/schema.js';
import { targetSettings } from '../../config/target-settings.js';
import { compilerIdentitySuffix } from '../../docker/compiler-mode.js';
import { effectiveRecipe, recipeHash, EMPTY_RECIPE, type EffectiveRecipe } from '../../recipes/effective-recipe.js';
import type { RecipeBook } from '../../recipes/load-recipes.js';
import { getTarget } from '../../targets/parse-targets.js';
import { validate } from '../../validation/validate.js';
import { planBuilds, type InventoryWheel, type PlanTarget } from './build-plan.js';
import { RequestJobData, ResolveResult, type RequestStep } from '../contract/job-data.js';
import { resolveJobId } from '../contract/job-ids.js';
import { resolveLogPath } from '../contract/log-paths.js';
import type { LocalRepositoryPort } from '../contract/repository-port.js';
import type { StatusEvent, StatusMessage } from '../contract/request-lifecycle.js';
import { FINAL_REQUEST_STATES, countRows, type PackageRow, type RequestStatus } from '../contract/request-types.js';
import type { RequestStore, StoredRequest } from '../store/request-store.js';
import { advanceSteps, type StepsObservation, type WorkStep } from './request-steps.js';
import { runBuildStep, type BuildStepPorts } from './run-build-step.js';

/** What the request job needs: the store, the repositories, the build step's ports. */
export interface OrchestratorDeps extends BuildStepPorts {
  config: FarmConfig;
  store: RequestStore;
  /** The repositories: inventories for the planner, index regeneration, reused wheels. */
  repo: LocalRepositoryPort;
  stateDir: string;
  log: (line: string) => void;
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

/** One run of a request job: executes the steps `advanceSteps` decides, from the one saved in the job's data. */
class RequestRun {
  constructor(
    readonly deps: OrchestratorDeps,
    readonly job: Job,
    readonly input: StoredRequest,
    public status: RequestStatus,
  ) {}

  get id(): string {
    return this.input.id;
  }

  async execute(first: RequestStep, signal?: AbortSignal): Promise<void> {
    let { state, actions } = advanceSteps(undefined, { type: 'started', step: first, ended: FINAL_REQUEST_STATES.has(this.status.state) });
    const todo = [...actions];
    for (let action = todo.shift(); action !== undefined && action.type !== 'stop'; action = todo.shift()) {
      let observation: StepsObservation | undefined;
      switch (action.type) {
        case 'check-cancelled':
          observation = { type: 'cancel-checked', cancelled: await this.deps.store.isCancelled(this.id) };
          break;
        case 'run':
          observation = { type: 'ran', step: action.step, ...(await this.run(action.step, signal)) };
          break;
        case 'save-step':
          await this.job.updateData({ requestId: this.id, step: action.step } satisfies RequestJobData);
          break;
        case 'finish':
          await this.apply({ type: 'finished', state: action.state, ...(action.error !== undefined ? { error: action.error } : {}) });
          break;
      }
      if (observation !== undefined) {
        ({ state, actions } = advanceSteps(state, observation));
        todo.unshift(...actions);
      }
    }
  }

  async run(step: WorkStep, signal?: AbortSignal): Promise<{ outcome: 'ok' | 'failed' | 'cancelled'; error?: string }> {
    switch (step) {
      case 'resolve':
        await this.collectResolutions();
        return { outcome: 'ok' };
      case 'plan':
        return (await this.plan()) ? { outcome: 'ok' } : { outcome: 'failed', error: 'no target could be resolved' };
      case 'build':
        return (await this.build(signal)) ? { outcome: 'ok' } : { outcome: 'cancelled' };
      case 'index':
        await this.index();
        return { outcome: 'ok' };
    }
  }

  /** Applies a status event through the store (one transition, one MULTI). */
  async apply(event: StatusEvent): Promise<void> {
    const next = await this.deps.store.apply(this.id, event);
    if (next === undefined) throw new Error(`request ${this.id}: ${event.type} refused in state ${this.status.state}`);
    this.status = next;
  }

  /** Reads the resolve children's results (values, or failures ignored by the flow). */
  async collectResolutions(): Promise<void> {
    await this.apply({ type: 'state', state: 'resolving' });
    const values = (await this.job.getChildrenValues()) as Record<string, unknown>;
    const failures = (await this.job.getIgnoredChildrenFailures()) as Record<string, string>;
    const resolutions: Record<string, ResolveResult> = {};
    const resolveLogs: Record<string, string> = {};
    const errors: string[] = [];
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
        resolveLogs[key(target, python)] = result.logPath;
        if (!result.ok) errors.push(`resolution failed on ${target} py${python}: ${result.error.split('\n')[0]} (log: ${result.logPath})`);
      }
    }
    await this.deps.store.savePlan(this.id, { resolutions });
    await this.apply({ type: 'resolved', resolveLogs, errors });
  }

  /** Plans from the saved resolutions; false when nothing could be resolved (the request then fails). */
  async plan(): Promise<boolean> {
    await this.apply({ type: 'state', state: 'planning' });
    const stored = await this.deps.store.plan(this.id);
    const ok = Object.values(stored?.resolutions ?? {}).filter((r) => r.ok);
    if (stored === undefined || ok.length === 0) return false;
    const book = await this.deps.recipes();
    const warnings: StatusMessage[] = book.problems.map((p) => ({ level: 'warn', text: `recipe ${p.file}: ${p.path} ${p.message}; ignored` }));
    const targets = new Map<string, PlanTarget & { images: Record<string, string> }>();
    for (const result of ok) {
      const target = getTarget(result.set.target);
      const planTarget = targets.get(target.id) ?? {
        target,
        repository: targetSettings(this.deps.config, target).repository,
        images: {},
      };
      // The compiler is part of the identity: hybrid builds name the cross toolchain's image.
      planTarget.images[result.set.python] = `${result.image.reference}@${result.image.id}${compilerIdentitySuffix(result.image.toolchain)}`;
      targets.set(target.id, planTarget);
    }
    const projects = new Map<string, Set<string>>();
    for (const result of ok) {
      const repository = targets.get(result.set.target)!.repository;
      const names = projects.get(repository) ?? new Set<string>();
      for (const p of [...result.set.packages, ...result.set.buildEnvs.flatMap((e) => e.packages)]) names.add(p.name);
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
    await this.deps.store.savePlan(this.id, { ...stored, plannedAt, plan });
    const rows = plan.rows.map((r): PackageRow => ({
      name: r.name,
      version: r.version,
      target: r.target,
      python: r.python,
      repository: r.repository,
      state: r.action === 'cached' ? 'cached' : r.action === 'skip' ? 'skipped' : r.action === 'fail' ? 'failed' : 'resolved',
      ...(r.action === 'cached' || r.action === 'mirror' ? { wheel: r.wheel } : {}),
      // A package that can't be planned (its build requirements) fails here, with why.
      ...(r.reason !== undefined ? (r.action === 'fail' ? { error: r.reason } : { reason: r.reason }) : {}),
      ...(r.taskId !== undefined ? { jobId: r.taskId } : {}),
      ...(r.buildDependency === true ? { buildDependency: true } : {}),
    }));
    const counts = countRows(rows);
    const summary: StatusMessage = {
      level: 'info',
      text:
        `plan: ${plan.builds.length} build jobs, ${plan.mirrors.length} mirror jobs, ${counts.cached ?? 0} cached, ${counts.skipped ?? 0} skipped` +
        (rows.some((r) => r.buildDependency === true) ? `, ${rows.filter((r) => r.buildDependency === true).length} rows are build dependencies` : '') +
        ((counts.failed ?? 0) > 0 ? `, ${counts.failed} can't be built` : ''),
    };
    await this.apply({ type: 'planned', rows, messages: [...warnings, summary] });
    return true;
  }

  /** Runs the build and mirror jobs; false when the request was cancelled meanwhile. */
  async build(signal?: AbortSignal): Promise<boolean> {
    await this.apply({ type: 'state', state: 'building' });
    const stored = await this.deps.store.plan(this.id);
    if (stored?.plan === undefined || stored.plannedAt === undefined) throw new Error(`request ${this.id}: no saved plan to build`);
    const book = await this.deps.recipes();
    return runBuildStep(
      this.deps,
      {
        requestId: this.id,
        plannedAt: stored.plannedAt,
        plan: stored.plan,
        rows: this.status.rows,
        rebuildFailed: this.input.rebuildFailed,
        stateDir: this.deps.stateDir,
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
          recipe: recipeFor(book, task.name, task.version, task.target),
          sdist: { ...task.sdist },
          indexUrl: this.input.indexUrl,
          extraIndexUrls: this.input.extraIndexUrls,
        }),
        saveRows: (rows) => this.apply({ type: 'rows', rows }),
        isCancelled: () => this.deps.store.isCancelled(this.id),
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
    await this.apply({ type: 'state', state: 'indexing' });
    for (const repository of affected) {
      if (this.status.indexedRepositories.includes(repository)) continue;
      await this.deps.repo.regenerateIndex(repository);
      await this.deps.store.countIndexRun(repository);
      await this.apply({ type: 'indexed', repository });
    }
  }

  /** Ends the request as failed, unless it has ended already. */
  async fail(error: string): Promise<void> {
    const next = await this.deps.store.apply(this.id, { type: 'finished', state: 'failed', error });
    if (next !== undefined) this.status = next;
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
