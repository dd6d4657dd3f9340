/**
 * The build step's decisions, as a pure reducer: `advance(state,
 * observation) → { state, actions }`. It enqueues a request's mirror and
 * build tasks in dependency order (a wheel's dependencies are in the
 * repository before its smoke test), reuses a pure-Python wheel built on
 * another target, reports a build that failed deterministically before
 * instead of rerunning it, shares a job another request created, follows
 * the jobs to their end and keeps the request's rows up to date. It does no
 * I/O: `run-build-step.ts` executes the actions (queues, task results, the
 * repository) and feeds back what it observed.
 *
 * The work goes in rounds, as a worker would do it by hand:
 * 1. `check-cancelled`: a cancelled request stops here (`finish: cancelled`).
 * 2. Every waiting task whose dependencies have ended is taken on: a build
 *    first looks up an earlier deterministic failure (`look-up-failure`),
 *    then is enqueued (`enqueue`); a reuse of a pure wheel may need it
 *    collected into another repository (`collect-reused`). Answers may
 *    unblock more tasks; the round goes on until none is left to take on.
 * 3. Every enqueued task is probed (`probe`).
 * 4. If a probe found a task ended, the next round starts at once; else the
 *    driver waits for news of the enqueued tasks (`wait`, then `woke`).
 * With nothing enqueued and nothing waiting, the step ends (`finish: done`).
 *
 * A build whose compile needs build dependencies waits for their tasks like
 * for any dependency, but goes ahead only when every one of them produced a
 * wheel: otherwise it fails at once, naming the build dependency, and is
 * never enqueued. Its job carries the wheels to install (`buildDeps`).
 *
 * Resuming after a crash is starting again from the saved rows: tasks whose
 * rows all ended are done; the others are taken on again, and enqueuing a
 * job that exists already is a no-op that finds it (its owner says whether
 * it is shared).
 */
import { isPureWheel } from '../../wheels/wheel-filename.js';
import type { TaskResult, TaskState } from '../contract/job-data.js';
import { buildLogPath } from '../contract/log-paths.js';
import type { BuildDepRef, BuildPlan, BuildTask, MirrorTask } from '../contract/plan.js';
import { FINAL_ROW_STATES, rowKey, type PackageRow, type RowState } from '../contract/request-types.js';
import { MIRROR_QUEUE, targetQueue } from '../store/keys.js';

/** What a job is doing now, as the task waiter sees it. */
export type TaskProbe =
  | { readonly state: 'waiting' }
  | { readonly state: 'active' }
  | { readonly state: 'finished'; readonly result: TaskResult };

/** Where a task is. */
export type TaskPhase = 'waiting' | 'looking-up' | 'enqueuing' | 'collecting' | 'enqueued' | 'done';

/** How a task ended, as far as the request is concerned. */
export interface TaskOutcome {
  readonly state: TaskState | 'reused';
  readonly wheel?: string;
  /** The request whose job produced it. */
  readonly requestId: string;
}

/** One mirror or build task of the plan, and where it is. */
export interface ScheduledTask {
  readonly id: string;
  readonly queue: string;
  readonly task: { readonly kind: 'build'; readonly build: BuildTask } | { readonly kind: 'mirror'; readonly mirror: MirrorTask };
  /** Tasks that must end first (build-dependency tasks included). */
  readonly deps: readonly string[];
  /** Wheels the compile installs (builds only), as the plan says where each comes from. */
  readonly buildDeps: readonly BuildDepRef[];
  /** The first build of the project, whose pure wheel this one may take. */
  readonly reuse?: string;
  /** Builds of the request waiting for this one: it goes first for a free slot. */
  readonly blocking: number;
  readonly phase: TaskPhase;
  /** Another request created the job; `owner` is that request. */
  readonly shared: boolean;
  readonly owner: string;
  readonly outcome?: TaskOutcome;
}

/** Where the current round is. */
export type Round =
  | { readonly phase: 'cancel-check' }
  | { readonly phase: 'taking-on' }
  | { readonly phase: 'probing'; readonly pending: readonly string[]; readonly ended: boolean }
  | { readonly phase: 'waiting' }
  | { readonly phase: 'finished'; readonly outcome: 'done' | 'cancelled' };

export interface SchedulerState {
  readonly requestId: string;
  /** Task results older than this are of an earlier run, not of this request's jobs. */
  readonly plannedAt: number;
  /** Rebuild what failed deterministically before (else report that failure). */
  readonly rebuildFailed: boolean;
  /** The worker's state directory: where the build logs will be. */
  readonly stateDir: string;
  /** In plan order: mirrors, then builds. */
  readonly tasks: readonly ScheduledTask[];
  readonly rows: readonly PackageRow[];
  readonly round: Round;
}

/** What the driver observed, in answer to an action. */
export type Observation =
  | { readonly type: 'cancel-checked'; readonly cancelled: boolean }
  /** The task's last result record, if any (answer to `look-up-failure`). */
  | { readonly type: 'failure-looked-up'; readonly taskId: string; readonly earlier?: TaskResult }
  /** The job exists now; `owner` is the request id in its data (answer to `enqueue`). */
  | { readonly type: 'enqueued'; readonly taskId: string; readonly owner?: string }
  /** Answer to `collect-reused`; `error` when collecting failed. */
  | { readonly type: 'reuse-collected'; readonly taskId: string; readonly error?: string }
  | { readonly type: 'probed'; readonly taskId: string; readonly probe: TaskProbe }
  /** A `wait` ended: news of a task, or the poll interval passed. */
  | { readonly type: 'woke' };

/** What the driver is to do. Each action but `update-rows`, `watch` and `finish` is answered by one observation. */
export type Action =
  | { readonly type: 'watch'; readonly queues: readonly string[] }
  | { readonly type: 'check-cancelled' }
  | { readonly type: 'look-up-failure'; readonly taskId: string }
  | {
      readonly type: 'enqueue';
      readonly task: ScheduledTask['task'];
      readonly taskId: string;
      readonly queue: string;
      readonly blocking: number;
      /** Builds: the wheels its compile installs, each in the repository now. */
      readonly buildDeps: readonly ResolvedBuildDep[];
    }
  | {
      readonly type: 'collect-reused';
      readonly taskId: string;
      readonly wheel: string;
      /** Repository holding the wheel. */
      readonly from: string;
      /** Repository to collect it into. */
      readonly into: string;
      /** Recorded with the copy: this target's recipe hash, the image that built the wheel. */
      readonly provenance: { readonly recipeHash: string; readonly image: string };
    }
  | { readonly type: 'probe'; readonly taskId: string; readonly queue: string }
  /** Rows changed: persist them (the driver may batch until it next waits). */
  | { readonly type: 'update-rows'; readonly rows: readonly PackageRow[] }
  | { readonly type: 'wait'; readonly taskIds: readonly string[] }
  | { readonly type: 'finish'; readonly outcome: 'done' | 'cancelled' };

/** A build dependency whose wheel is in the repository. */
export interface ResolvedBuildDep {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
}

export interface Step {
  readonly state: SchedulerState;
  readonly actions: readonly Action[];
}

/** Everything the scheduler starts from. */
export interface SchedulerInput {
  readonly requestId: string;
  readonly plannedAt: number;
  readonly plan: BuildPlan;
  /** The request's rows as saved: after a crash some have ended already. */
  readonly rows: readonly PackageRow[];
  readonly rebuildFailed: boolean;
  readonly stateDir: string;
}

const TASK_TO_ROW: Readonly<Record<TaskState, RowState>> = {
  built: 'built',
  mirrored: 'mirrored',
  cached: 'cached',
  failed: 'failed',
  cancelled: 'skipped',
};

/** A row that will not change any more. */
function rowEnded(row: PackageRow): boolean {
  return FINAL_ROW_STATES.has(row.state) || (row.state === 'shared' && row.wheel !== undefined);
}

/** The first state and actions: resumed tasks marked done, queues watched, then the first round. */
export function startScheduler(input: SchedulerInput): Step {
  const blocking = new Map<string, number>();
  const buildDepTasks = (b: BuildTask) => b.buildDeps.map((d) => d.taskId).filter((t): t is string => t !== undefined);
  for (const b of input.plan.builds) {
    const waitsFor = new Set([...b.dependsOn, ...buildDepTasks(b), ...(b.reusePureFrom !== undefined ? [b.reusePureFrom] : [])]);
    for (const d of waitsFor) blocking.set(d, (blocking.get(d) ?? 0) + 1);
  }
  const base = { phase: 'waiting' as const, shared: false, owner: input.requestId };
  const tasks: ScheduledTask[] = [
    ...input.plan.mirrors.map((m) => ({ ...base, id: m.id, queue: MIRROR_QUEUE, task: { kind: 'mirror' as const, mirror: m }, deps: [], buildDeps: [], blocking: 0 })),
    ...input.plan.builds.map((b) => ({
      ...base,
      id: b.id,
      queue: targetQueue(b.target),
      task: { kind: 'build' as const, build: b },
      deps: [...new Set([...b.dependsOn, ...buildDepTasks(b)])].sort(),
      buildDeps: b.buildDeps,
      ...(b.reusePureFrom !== undefined ? { reuse: b.reusePureFrom } : {}),
      blocking: blocking.get(b.id) ?? 0,
    })),
  ].map((task): ScheduledTask => {
    // Resume after a crash: a task whose rows all ended needs nothing more.
    const rows = input.rows.filter((r) => r.jobId === task.id);
    if (rows.length === 0 || !rows.every(rowEnded)) return task;
    const first = rows[0]!;
    const outcome: TaskOutcome = {
      state: first.state === 'failed' ? 'failed' : 'built',
      requestId: input.requestId,
      ...(first.wheel !== undefined ? { wheel: first.wheel } : {}),
    };
    return { ...task, phase: 'done', outcome };
  });
  const state: SchedulerState = {
    requestId: input.requestId,
    plannedAt: input.plannedAt,
    rebuildFailed: input.rebuildFailed,
    stateDir: input.stateDir,
    tasks,
    rows: input.rows.map((r) => ({ ...r })),
    round: { phase: 'cancel-check' },
  };
  return { state, actions: [{ type: 'watch', queues: [...new Set(tasks.map((t) => t.queue))] }, { type: 'check-cancelled' }] };
}

/**
 * The next state and actions after `observation`. Observations that do not
 * fit the state (a late answer, a duplicate) are a programming error of the
 * driver and throw `TypeError`.
 */
export function advance(state: SchedulerState, observation: Observation): Step {
  const s: Draft = new Draft(state);
  switch (observation.type) {
    case 'cancel-checked':
      s.expectRound('cancel-check', observation);
      if (observation.cancelled) return s.finish('cancelled');
      s.round = { phase: 'taking-on' };
      return s.takeOn();
    case 'failure-looked-up': {
      const task = s.expectTask(observation.taskId, 'looking-up', observation);
      const earlier = observation.earlier;
      if (earlier?.state === 'failed' && earlier.deterministic) {
        s.setTask(task.id, { phase: 'done', outcome: { state: 'failed', requestId: earlier.requestId } });
        s.patchRows(task.id, {
          state: 'failed',
          ...(earlier.error !== undefined ? { error: earlier.error } : {}),
          ...(earlier.logPath !== undefined ? { logPath: earlier.logPath } : {}),
          reason: `failed before with the same sdist, image and recipe (request ${earlier.requestId}); farm retry builds it again`,
        });
      } else {
        s.enqueue(task);
      }
      return s.takeOn();
    }
    case 'enqueued': {
      const task = s.expectTask(observation.taskId, 'enqueuing', observation);
      const owner = observation.owner;
      const shared = typeof owner === 'string' && owner !== state.requestId;
      const updated = s.setTask(task.id, { phase: 'enqueued', shared, owner: shared ? owner : task.owner });
      const build = updated.task.kind === 'build' ? updated.task.build : undefined;
      const logPath = build !== undefined ? buildLogPath(state.stateDir, updated.owner, build.name, build.target, build.python) : undefined;
      s.patchRows(
        task.id,
        shared
          ? { state: 'shared', reason: `built by request ${updated.owner}`, ...(logPath !== undefined ? { logPath } : {}) }
          : { state: 'queued', ...(logPath !== undefined ? { logPath } : {}) },
      );
      return s.takeOn();
    }
    case 'reuse-collected': {
      const task = s.expectTask(observation.taskId, 'collecting', observation);
      if (observation.error !== undefined) {
        s.setTask(task.id, { phase: 'done', outcome: { ...task.outcome!, state: 'failed' } });
        s.patchRows(task.id, { state: 'failed', error: observation.error });
      } else {
        s.reused(task, true);
      }
      return s.takeOn();
    }
    case 'probed': {
      const round = state.round;
      if (round.phase !== 'probing' || !round.pending.includes(observation.taskId)) return s.unexpected(observation);
      const task = s.expectTask(observation.taskId, 'enqueued', observation);
      const probe = observation.probe;
      let ended = false;
      if (probe.state === 'active' && !task.shared) {
        if (s.rowsOf(task.id).some((r) => r.state !== 'building')) s.patchRows(task.id, { state: 'building' });
      } else if (probe.state === 'finished') {
        ended = true;
        const result = probe.result;
        s.setTask(task.id, {
          phase: 'done',
          outcome: { state: result.state, requestId: result.requestId, ...(result.wheel !== undefined ? { wheel: result.wheel } : {}) },
        });
        const others = result.requestId !== state.requestId && result.requestId !== '-';
        let rowState = TASK_TO_ROW[result.state];
        if ((rowState === 'built' || rowState === 'mirrored') && (others || task.shared)) rowState = 'shared';
        s.patchRows(task.id, {
          state: rowState,
          ...(result.wheel !== undefined ? { wheel: result.wheel } : {}),
          ...(result.logPath !== undefined ? { logPath: result.logPath } : {}),
          ...(result.durationMs > 0 ? { durationMs: result.durationMs } : {}),
          ...(result.error !== undefined ? { error: result.error } : {}),
          ...(result.state === 'cancelled' ? { reason: 'cancelled' } : {}),
        });
      }
      const pending = round.pending.filter((id) => id !== task.id);
      const anyEnded = round.ended || ended;
      if (pending.length > 0) {
        s.round = { phase: 'probing', pending, ended: anyEnded };
        return s.done();
      }
      if (anyEnded) return s.nextRound();
      return s.waitForNews();
    }
    case 'woke':
      s.expectRound('waiting', observation);
      return s.nextRound();
  }
}

/** The rows of a task, by its id. */
function rowsOfTask(rows: readonly PackageRow[], taskId: string): PackageRow[] {
  return rows.filter((r) => r.jobId === taskId);
}

/** A mutable working copy of the state for one `advance`, collecting actions. */
class Draft {
  tasks: ScheduledTask[];
  rows: PackageRow[];
  round: Round;
  readonly actions: Action[] = [];
  /** Rows changed by this step, by key, in the order of their first change. */
  readonly #changed = new Map<string, PackageRow>();

  constructor(readonly base: SchedulerState) {
    this.tasks = [...base.tasks];
    this.rows = [...base.rows];
    this.round = base.round;
  }

  emit(action: Action): void {
    this.actions.push(action);
  }

  unexpected(observation: Observation): never {
    throw new TypeError(`scheduler of request ${this.base.requestId}: unexpected ${JSON.stringify(observation)} in round ${this.round.phase}`);
  }

  expectRound(phase: Round['phase'], observation: Observation): void {
    if (this.round.phase !== phase) this.unexpected(observation);
  }

  expectTask(taskId: string, phase: TaskPhase, observation: Observation): ScheduledTask {
    const task = this.tasks.find((t) => t.id === taskId);
    if (task === undefined || task.phase !== phase) this.unexpected(observation);
    return task;
  }

  task(taskId: string): ScheduledTask | undefined {
    return this.tasks.find((t) => t.id === taskId);
  }

  setTask(taskId: string, patch: Partial<ScheduledTask>): ScheduledTask {
    const i = this.tasks.findIndex((t) => t.id === taskId);
    const updated = { ...this.tasks[i]!, ...patch };
    this.tasks[i] = updated;
    return updated;
  }

  rowsOf(taskId: string): PackageRow[] {
    return rowsOfTask(this.rows, taskId);
  }

  patchRows(taskId: string, patch: Partial<PackageRow>): void {
    this.rows = this.rows.map((row) => {
      if (row.jobId !== taskId) return row;
      const updated = { ...row, ...patch };
      this.#changed.set(rowKey(updated), updated);
      return updated;
    });
  }

  /** A reuse that is complete: the rows take the first build's wheel. */
  reused(task: ScheduledTask, collected: boolean): void {
    const first = this.task(task.reuse!)!;
    const firstBuild = first.task.kind === 'build' ? first.task.build : undefined;
    const build = (task.task as { build: BuildTask }).build;
    const firstRow = this.rowsOf(first.id)[0];
    const from = firstBuild?.target ?? 'another target';
    this.setTask(task.id, { phase: 'done' });
    this.patchRows(task.id, {
      state: firstRow?.state === 'shared' || firstRow?.state === 'cached' ? firstRow.state : 'built',
      wheel: task.outcome!.wheel!,
      reason: collected
        ? `pure-Python wheel, built once (on ${from}) and collected into ${build.repository}`
        : `pure-Python wheel, built once (on ${from})`,
    });
  }

  /**
   * The wheels of a build's build environment, once each task that makes
   * one has ended; a string naming the first that can't be had.
   */
  buildEnvironment(task: ScheduledTask): ResolvedBuildDep[] | string {
    const resolved: ResolvedBuildDep[] = [];
    for (const dep of task.buildDeps) {
      const label = `build dependency ${dep.name} ${dep.version}`;
      if (dep.problem !== undefined) return `${label}: ${dep.problem}`;
      let filename = dep.wheel;
      if (dep.taskId !== undefined) {
        const outcome = this.task(dep.taskId)?.outcome;
        const failed = outcome === undefined || outcome.state === 'failed' || outcome.state === 'cancelled' || outcome.wheel === undefined;
        if (failed) return `${label} ${outcome?.state === 'cancelled' ? 'was cancelled' : 'failed'}, so it was not built (see the log of ${dep.name})`;
        filename = outcome.wheel;
      }
      if (filename === undefined) return `${label}: no wheel`;
      resolved.push({ name: dep.name, version: dep.version, filename });
    }
    return resolved;
  }

  /** Enqueues `task`, with its build environment when it is a build. */
  enqueue(task: ScheduledTask): void {
    const env = task.task.kind === 'build' ? this.buildEnvironment(task) : [];
    this.setTask(task.id, { phase: 'enqueuing' });
    this.emit({ type: 'enqueue', task: task.task, taskId: task.id, queue: task.queue, blocking: task.blocking, buildDeps: typeof env === 'string' ? [] : env });
  }

  /** Whether every dependency of `task` has ended (a dependency that is not a task counts as ended). */
  depsEnded(task: ScheduledTask): boolean {
    return task.deps.every((d) => {
      const phase = this.task(d)?.phase;
      return phase === undefined || phase === 'done';
    });
  }

  /** Takes on every waiting task that can go ahead; ends the taking-on when nothing is in flight. */
  takeOn(): Step {
    if (this.round.phase !== 'taking-on') return this.done();
    for (const task of [...this.tasks]) {
      if (task.phase !== 'waiting') continue;
      if (task.reuse !== undefined) {
        const first = this.task(task.reuse);
        if (first !== undefined && first.phase !== 'done') continue;
        const wheel = first?.outcome?.wheel;
        if (first?.outcome !== undefined && wheel !== undefined && first.outcome.state !== 'failed' && isPureWheel(wheel)) {
          // A pure wheel built for another target serves this one: no build, no waiting for dependencies.
          const build = (task.task as { build: BuildTask }).build;
          const firstBuild = first.task.kind === 'build' ? first.task.build : undefined;
          const here = build.repository;
          const there = firstBuild?.repository ?? here;
          const outcome: TaskOutcome = { state: 'reused', wheel, requestId: first.outcome.requestId };
          if (there === here) {
            this.setTask(task.id, { outcome });
            this.reused(this.task(task.id)!, false);
          } else {
            this.setTask(task.id, { phase: 'collecting', outcome });
            this.emit({
              type: 'collect-reused',
              taskId: task.id,
              wheel,
              from: there,
              into: here,
              provenance: { recipeHash: build.recipeHash, image: firstBuild?.image ?? build.image },
            });
          }
          continue;
        }
      }
      if (!this.depsEnded(task)) continue;
      if (task.task.kind === 'build') {
        const env = this.buildEnvironment(task);
        if (typeof env === 'string') {
          // No compile without its whole build environment: fail here, never enqueue.
          this.setTask(task.id, { phase: 'done', outcome: { state: 'failed', requestId: this.base.requestId } });
          this.patchRows(task.id, { state: 'failed', error: env });
          continue;
        }
      }
      if (task.task.kind === 'build' && !this.base.rebuildFailed) {
        this.setTask(task.id, { phase: 'looking-up' });
        this.emit({ type: 'look-up-failure', taskId: task.id });
      } else {
        this.enqueue(task);
      }
    }
    const inFlight = this.tasks.some((t) => t.phase === 'looking-up' || t.phase === 'enqueuing' || t.phase === 'collecting');
    if (inFlight) return this.done();
    const enqueued = this.tasks.filter((t) => t.phase === 'enqueued');
    if (enqueued.length > 0) {
      this.round = { phase: 'probing', pending: enqueued.map((t) => t.id), ended: false };
      for (const t of enqueued) this.emit({ type: 'probe', taskId: t.id, queue: t.queue });
      return this.done();
    }
    const stuck = this.tasks.filter((t) => t.phase === 'waiting');
    if (stuck.length === 0) return this.finish('done');
    // Only reachable with a broken plan (a cycle the planner did not break): run them anyway.
    for (const t of stuck) this.setTask(t.id, { deps: [], reuse: undefined });
    return this.takeOn();
  }

  /** The driver waits for news of the enqueued tasks (after saving the rows). */
  waitForNews(): Step {
    this.round = { phase: 'waiting' };
    this.emit({ type: 'wait', taskIds: this.tasks.filter((t) => t.phase === 'enqueued').map((t) => t.id) });
    return this.done();
  }

  nextRound(): Step {
    this.round = { phase: 'cancel-check' };
    this.emit({ type: 'check-cancelled' });
    return this.done();
  }

  finish(outcome: 'done' | 'cancelled'): Step {
    this.round = { phase: 'finished', outcome };
    this.emit({ type: 'finish', outcome });
    return this.done();
  }

  /**
   * The step: the rows this observation changed come first (they are saved
   * before the driver next waits, checks for cancellation or finishes), then
   * the actions in the order they were decided.
   */
  done(): Step {
    if (this.#changed.size > 0) this.actions.unshift({ type: 'update-rows', rows: [...this.#changed.values()] });
    this.#changed.clear();
    return { state: { ...this.base, tasks: this.tasks, rows: this.rows, round: this.round }, actions: this.actions };
  }
}
