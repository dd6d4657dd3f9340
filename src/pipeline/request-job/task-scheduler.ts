/**
 * The build step of a request: enqueues its mirror and build jobs in
 * dependency order (a wheel's dependencies are in the repository before its
 * smoke test), reuses a pure-Python wheel built on another target of the same
 * repository, follows the jobs to the end and keeps the request's rows up to
 * date. Jobs are deduplicated by id across requests: a job another request
 * created is waited for and reported as `shared`.
 */
import path from 'node:path';
import type { Job } from 'bullmq';
import { isPureWheel } from '../../wheels/wheel-filename.js';
import type { BuildPlan, BuildTask, MirrorTask } from '../contract/plan.js';
import type { TaskResult } from '../contract/job-data.js';
import type { BuildJobData, MirrorJobData } from '../contract/job-data.js';
import { JOB_NAMES, MIRROR_QUEUE, targetQueue } from '../store/keys.js';
import { buildLogPath } from '../contract/log-paths.js';
import { JOB_OPTIONS, type QueueSet } from '../store/queues.js';
import { FINAL_ROW_STATES, type PackageRow, type RowState } from '../contract/request-types.js';
import type { RepositoryPort } from '../contract/repository-port.js';
import type { TaskResults } from '../store/task-results.js';
import type { TaskWaiter } from './task-waiter.js';


interface Entry {
  id: string;
  queue: string;
  kind: 'build' | 'mirror';
  build?: BuildTask;
  mirror?: MirrorTask;
  deps: readonly string[];
  reuse: string | undefined;
  state: 'waiting' | 'enqueued' | 'done';
  /** Another request created the job. */
  shared: boolean;
  owner: string;
  result?: { state: TaskResult['state'] | 'reused'; wheel?: string; requestId: string; from?: string };
}

export interface SchedulerDeps {
  queues: QueueSet;
  /** Collects a reused pure wheel into another repository. */
  repo: RepositoryPort;
  waiter: TaskWaiter;
  results: TaskResults;
  stateDir: string;
  /** Poll interval: the fallback when a queue event is missed. */
  pollMs: number;
  log: (line: string) => void;
}

export interface SchedulerRequest {
  requestId: string;
  plannedAt: number;
  plan: BuildPlan;
  rows: PackageRow[];
  /** Job data that is not in the plan: index URLs and the effective recipe per build. */
  buildData: (task: BuildTask) => Omit<BuildJobData, 'enqueuedAt' | 'blocking'>;
  /** Rebuild builds that failed deterministically before (else report that failure). */
  rebuildFailed: boolean;
  /** Persists rows that changed (and emits their events). */
  saveRows: (changed: readonly PackageRow[]) => Promise<void>;
  isCancelled: () => Promise<boolean>;
}

const TASK_TO_ROW: Record<TaskResult['state'], RowState> = {
  built: 'built',
  mirrored: 'mirrored',
  cached: 'cached',
  failed: 'failed',
  cancelled: 'skipped',
};

/** Runs the build step to the end; returns false when the request was cancelled meanwhile. */
export async function runBuildStep(deps: SchedulerDeps, req: SchedulerRequest, signal?: AbortSignal): Promise<boolean> {
  const entries = new Map<string, Entry>();
  for (const m of req.plan.mirrors) {
    entries.set(m.id, { id: m.id, queue: MIRROR_QUEUE, kind: 'mirror', mirror: m, deps: [], reuse: undefined, state: 'waiting', shared: false, owner: req.requestId });
  }
  for (const b of req.plan.builds) {
    entries.set(b.id, {
      id: b.id,
      queue: targetQueue(b.target),
      kind: 'build',
      build: b,
      deps: b.dependsOn,
      reuse: b.reusePureFrom,
      state: 'waiting',
      shared: false,
      owner: req.requestId,
    });
  }
  const rowsOf = (id: string) => req.rows.filter((r) => r.jobId === id);
  // Builds others wait for (dependencies, first builds of pure candidates) get free slots first.
  const blocking = new Map<string, number>();
  for (const b of req.plan.builds) {
    for (const d of [...b.dependsOn, ...(b.reusePureFrom !== undefined ? [b.reusePureFrom] : [])]) blocking.set(d, (blocking.get(d) ?? 0) + 1);
  }

  // Resume after a crash: tasks whose rows already ended need nothing more.
  for (const entry of entries.values()) {
    const rows = rowsOf(entry.id);
    const ended = (r: PackageRow) => FINAL_ROW_STATES.has(r.state) || (r.state === 'shared' && r.wheel !== undefined);
    if (rows.length > 0 && rows.every(ended)) {
      const first = rows[0]!;
      entry.state = 'done';
      entry.result = {
        state: first.state === 'failed' ? 'failed' : 'built',
        requestId: req.requestId,
        ...(first.wheel !== undefined ? { wheel: first.wheel } : {}),
      };
    }
  }

  const queues = new Set([...entries.values()].map((e) => e.queue));
  await Promise.all([...queues].map((q) => deps.waiter.watch(q)));

  const setRows = (id: string, patch: Partial<PackageRow>, changed: PackageRow[]) => {
    for (const row of rowsOf(id)) {
      Object.assign(row, patch);
      if (!changed.includes(row)) changed.push(row);
    }
  };

  for (;;) {
    if (await req.isCancelled()) return false;
    const changed: PackageRow[] = [];

    for (const entry of entries.values()) {
      if (entry.state !== 'waiting') continue;
      // A pure wheel built for another target of the repository serves this one: no build, no waiting for deps.
      if (entry.reuse !== undefined) {
        const first = entries.get(entry.reuse);
        if (first !== undefined && first.state !== 'done') continue;
        const wheel = first?.result?.wheel;
        if (first?.result !== undefined && wheel !== undefined && first.result.state !== 'failed' && isPureWheel(wheel)) {
          entry.state = 'done';
          entry.result = { state: 'reused', wheel, requestId: first.result.requestId, from: first.build?.target ?? '' };
          const firstRow = rowsOf(first.id)[0];
          const from = first.build?.target ?? 'another target';
          const here = entry.build!.repository;
          const there = first.build?.repository ?? here;
          try {
            if (there !== here) {
              await deps.repo.collect(here, path.join(deps.repo.packagesDir(there), wheel), {
                // This target's recipe hash (its cache key), the image that built the wheel.
                build: { recipeHash: entry.build!.recipeHash, image: first.build?.image ?? entry.build!.image },
              });
            }
            setRows(
              entry.id,
              {
                state: firstRow?.state === 'shared' || firstRow?.state === 'cached' ? firstRow.state : 'built',
                wheel,
                reason:
                  there === here
                    ? `pure-Python wheel, built once (on ${from})`
                    : `pure-Python wheel, built once (on ${from}) and collected into ${here}`,
              },
              changed,
            );
          } catch (error) {
            entry.result.state = 'failed';
            setRows(entry.id, { state: 'failed', error: `collecting ${wheel} into ${here}: ${(error as Error).message}` }, changed);
          }
          continue;
        }
      }
      if (!entry.deps.every((d) => entries.get(d)?.state !== 'waiting' && entries.get(d)?.state !== 'enqueued')) continue;
      if (entry.kind === 'build' && !req.rebuildFailed) {
        const earlier = await deps.results.read(entry.id);
        if (earlier?.state === 'failed' && earlier.deterministic) {
          entry.state = 'done';
          entry.result = { state: 'failed', requestId: earlier.requestId };
          setRows(
            entry.id,
            {
              state: 'failed',
              ...(earlier.error !== undefined ? { error: earlier.error } : {}),
              ...(earlier.logPath !== undefined ? { logPath: earlier.logPath } : {}),
              reason: `failed before with the same sdist, image and recipe (request ${earlier.requestId}); farm retry builds it again`,
            },
            changed,
          );
          continue;
        }
      }
      await enqueue(deps, req, entry, blocking.get(entry.id) ?? 0);
      entry.state = 'enqueued';
      const expectedLog =
        entry.build !== undefined
          ? buildLogPath(deps.stateDir, entry.owner, entry.build.name, entry.build.target, entry.build.python)
          : undefined;
      setRows(
        entry.id,
        entry.shared
          ? { state: 'shared', reason: `built by request ${entry.owner}`, ...(expectedLog ? { logPath: expectedLog } : {}) }
          : { state: 'queued', ...(expectedLog ? { logPath: expectedLog } : {}) },
        changed,
      );
    }

    const active = [...entries.values()].filter((e) => e.state === 'enqueued');
    if (active.length === 0) {
      const stuck = [...entries.values()].filter((e) => e.state === 'waiting');
      if (stuck.length === 0) {
        if (changed.length > 0) await req.saveRows(changed);
        return true;
      }
      // Only reachable with a broken plan (a dependency that is not a task): run them anyway.
      for (const entry of stuck) entry.deps = [];
      if (changed.length > 0) await req.saveRows(changed);
      continue;
    }

    for (const entry of active) {
      const probe = await deps.waiter.probe(entry.queue, entry.id, req.plannedAt);
      if (probe.state === 'active' && !entry.shared) {
        if (rowsOf(entry.id).some((r) => r.state !== 'building')) setRows(entry.id, { state: 'building' }, changed);
      } else if (probe.state === 'finished') {
        const result = probe.result;
        entry.state = 'done';
        entry.result = { state: result.state, requestId: result.requestId, ...(result.wheel !== undefined ? { wheel: result.wheel } : {}) };
        const others = result.requestId !== req.requestId && result.requestId !== '-';
        let state = TASK_TO_ROW[result.state];
        if ((state === 'built' || state === 'mirrored') && (others || entry.shared)) state = 'shared';
        setRows(
          entry.id,
          {
            state,
            ...(result.wheel !== undefined ? { wheel: result.wheel } : {}),
            ...(result.logPath !== undefined ? { logPath: result.logPath } : {}),
            ...(result.durationMs > 0 ? { durationMs: result.durationMs } : {}),
            ...(result.error !== undefined ? { error: result.error } : {}),
            ...(result.state === 'cancelled' ? { reason: 'cancelled' } : {}),
          },
          changed,
        );
      }
    }
    if (changed.length > 0) await req.saveRows(changed);
    if (active.every((e) => e.state === 'enqueued')) {
      await deps.waiter.next(new Set(active.map((e) => e.id)), deps.pollMs, signal);
    }
  }
}

/** Adds the task's job (a no-op when a job with its id exists) and learns who owns it. */
async function enqueue(deps: SchedulerDeps, req: SchedulerRequest, entry: Entry, blocking: number): Promise<void> {
  await deps.results.addRequester(entry.id, req.requestId);
  const queue = deps.queues.queue(entry.queue);
  if (entry.kind === 'build') {
    const data: BuildJobData = { ...req.buildData(entry.build!), enqueuedAt: Date.now(), blocking };
    await queue.add(JOB_NAMES.build, data, { jobId: entry.id, ...JOB_OPTIONS.build });
  } else {
    const m = entry.mirror!;
    const data: MirrorJobData = {
      mirrorId: m.id,
      requestId: req.requestId,
      repository: m.repository,
      name: m.name,
      version: m.version,
      filename: m.filename,
      url: m.url,
      ...(m.sha256 !== undefined ? { sha256: m.sha256 } : {}),
    };
    await queue.add(JOB_NAMES.mirror, data, { jobId: entry.id, ...JOB_OPTIONS.mirror });
  }
  const job = (await queue.getJob(entry.id)) as Job<{ requestId?: unknown }> | undefined;
  const owner = job?.data.requestId;
  if (typeof owner === 'string' && owner !== req.requestId) {
    entry.shared = true;
    entry.owner = owner;
  }
}
