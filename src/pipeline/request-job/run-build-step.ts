/**
 * The build step's driver: executes what the scheduler (build-scheduler.ts)
 * decides and feeds back what it observed, until the scheduler finishes.
 * Every decision is the scheduler's; this file only does the I/O, through
 * the small interfaces below (the request job passes in the BullMQ queues,
 * the task waiter, the task result records and the repository).
 */
import path from 'node:path';
import type { JobsOptions } from 'bullmq';
import type { BuildJobData, MirrorJobData, TaskResult } from '../contract/job-data.js';
import type { BuildPlan, BuildTask } from '../contract/plan.js';
import type { LocalRepositoryPort } from '../contract/repository-port.js';
import { rowKey, type PackageRow } from '../contract/request-types.js';
import { parseWheelFilename } from '../../wheels/wheel-filename.js';
import { JOB_NAMES } from '../store/keys.js';
import { JOB_OPTIONS } from '../store/queues.js';
import { advance, startScheduler, type Action, type Observation, type SchedulerInput, type TaskProbe } from './build-scheduler.js';

/** Adds jobs to queues. */
export interface JobQueues {
  /**
   * Adds a job unless one with `options.jobId` exists (BullMQ keeps one job
   * per id). Resolves with the request id in the data of the job that now
   * has that id: another request's when it created the job first.
   */
  add(queue: string, name: string, data: BuildJobData | MirrorJobData, options: JobsOptions & { jobId: string }): Promise<string | undefined>;
}

/** Follows jobs the request did not create as children (see task-waiter.ts). */
export interface TaskWatch {
  watch(queue: string): Promise<void>;
  probe(queue: string, taskId: string, since: number): Promise<TaskProbe>;
  /** Resolves when one of `taskIds` has news, after `timeoutMs`, or when `signal` aborts. */
  next(taskIds: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/** The outcome records of build and mirror jobs (see store/task-results.ts). */
export interface TaskRecords {
  read(taskId: string): Promise<TaskResult | undefined>;
  addRequester(taskId: string, requestId: string): Promise<void>;
}

/** What the build step needs from outside. */
export interface BuildStepPorts {
  readonly jobs: JobQueues;
  readonly waiter: TaskWatch;
  readonly results: TaskRecords;
  /** Collects a reused pure wheel into another repository, with the provenance recorded in the first. */
  readonly repo: Pick<LocalRepositoryPort, 'collect' | 'packagesDir' | 'listWheelEntries'>;
  /** Poll interval: the fallback when a queue event is missed. */
  readonly pollMs: number;
}

/** The request's side of the build step: what the scheduler starts from, and its callbacks. */
export interface BuildStepRequest extends SchedulerInput {
  /** Job data that is not in the plan: index URLs and the effective recipe per build. */
  buildData(task: BuildTask): Omit<BuildJobData, 'enqueuedAt' | 'blocking' | 'buildDeps'>;
  /** Persists rows that changed (and emits their events). */
  saveRows(changed: readonly PackageRow[]): Promise<void>;
  isCancelled(): Promise<boolean>;
}

/** Runs the build step to the end; resolves false when the request was cancelled meanwhile. */
export async function runBuildStep(ports: BuildStepPorts, req: BuildStepRequest, signal?: AbortSignal): Promise<boolean> {
  const start = startScheduler(req);
  let state = start.state;
  const todo: Action[] = [...start.actions];
  // Row changes are saved together before the driver next waits, checks for cancellation or finishes.
  const unsaved = new Map<string, PackageRow>();
  const save = async () => {
    if (unsaved.size === 0) return;
    const rows = [...unsaved.values()];
    unsaved.clear();
    await req.saveRows(rows);
  };

  for (;;) {
    const action = todo.shift();
    if (action === undefined) throw new TypeError(`build step of request ${req.requestId}: the scheduler stopped without finishing`);
    let observation: Observation | undefined;
    switch (action.type) {
      case 'watch':
        await Promise.all(action.queues.map((queue) => ports.waiter.watch(queue)));
        break;
      case 'update-rows':
        for (const row of action.rows) unsaved.set(rowKey(row), row);
        break;
      case 'check-cancelled':
        await save();
        observation = { type: 'cancel-checked', cancelled: await req.isCancelled() };
        break;
      case 'look-up-failure': {
        const earlier = await ports.results.read(action.taskId);
        observation = { type: 'failure-looked-up', taskId: action.taskId, ...(earlier !== undefined ? { earlier } : {}) };
        break;
      }
      case 'enqueue': {
        await ports.results.addRequester(action.taskId, req.requestId);
        const owner =
          action.task.kind === 'build'
            ? await ports.jobs.add(
                action.queue,
                JOB_NAMES.build,
                { ...req.buildData(action.task.build), buildDeps: [...action.buildDeps], enqueuedAt: Date.now(), blocking: action.blocking },
                { jobId: action.taskId, ...JOB_OPTIONS.build },
              )
            : await ports.jobs.add(action.queue, JOB_NAMES.mirror, mirrorData(req.requestId, action.task.mirror), {
                jobId: action.taskId,
                ...JOB_OPTIONS.mirror,
              });
        observation = { type: 'enqueued', taskId: action.taskId, ...(owner !== undefined ? { owner } : {}) };
        break;
      }
      case 'collect-reused':
        try {
          // The wheel was built once, elsewhere: its record there says how; the copy keeps that, under this target's recipe hash.
          const [original] = (await ports.repo.listWheelEntries(action.from, [parseWheelFilename(action.wheel).name])).filter((e) => e.filename === action.wheel);
          const build = original?.build !== undefined ? { ...original.build, recipeHash: action.provenance.recipeHash } : { ...action.provenance };
          await ports.repo.collect(action.into, path.join(ports.repo.packagesDir(action.from), action.wheel), { build });
          observation = { type: 'reuse-collected', taskId: action.taskId };
        } catch (error) {
          observation = { type: 'reuse-collected', taskId: action.taskId, error: `collecting ${action.wheel} into ${action.into}: ${(error as Error).message}` };
        }
        break;
      case 'probe':
        observation = { type: 'probed', taskId: action.taskId, probe: await ports.waiter.probe(action.queue, action.taskId, req.plannedAt) };
        break;
      case 'wait':
        await save();
        await ports.waiter.next(new Set(action.taskIds), ports.pollMs, signal);
        observation = { type: 'woke' };
        break;
      case 'finish':
        await save();
        return action.outcome === 'done';
    }
    if (observation !== undefined) {
      const step = advance(state, observation);
      state = step.state;
      // Depth first: what an answer leads to happens before the next task is taken on, as one would do it by hand.
      todo.unshift(...step.actions);
    }
  }
}

function mirrorData(requestId: string, m: BuildPlan['mirrors'][number]): MirrorJobData {
  return {
    mirrorId: m.id,
    requestId,
    repository: m.repository,
    name: m.name,
    version: m.version,
    filename: m.filename,
    url: m.url,
    ...(m.sha256 !== undefined ? { sha256: m.sha256 } : {}),
  };
}
