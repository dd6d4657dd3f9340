/**
 * BullMQ processors of the target queues (resolve and build jobs) and the
 * mirror queue. They validate job data read back from Redis, turn farm's
 * errors into BullMQ's retry semantics (transient: thrown, retried with
 * backoff; deterministic: `UnrecoverableError`, not retried), and record
 * every outcome under the job id before the job finishes.
 */
import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import type { FarmConfig } from '../../config/schema.js';
import { BuildFailedError, BuildTimeoutError, CancelledError, ConfigError, FarmError, JobHandedBackError } from '../../errors.js';
import { isCacheableFailure, isFinalFailure } from './failure-policy.js';
import { validate } from '../../validation/validate.js';
import { runBuild, type BuildEnvironment } from './build-step.js';
import { BuildJobData, MirrorJobData, ResolveJobData, type ResolveResult, type TaskResult } from '../contract/job-data.js';
import { buildLogPath, mirrorLogPath, resolveLogPath } from '../contract/log-paths.js';
import type { LogDelivery, LogSink } from '../contract/log-sink.js';
import { runMirror, type MirrorEnvironment } from './mirror-step.js';
import type { RequestStore } from '../store/request-store.js';
import { runResolve } from './resolve-step.js';
import { JOB_NAMES } from '../store/keys.js';
import type { TaskResults } from '../store/task-results.js';

/** What the processors share. */
export interface ProcessorDeps {
  config: FarmConfig;
  store: RequestStore;
  results: TaskResults;
  build: BuildEnvironment;
  mirror: MirrorEnvironment;
  /** Where job logs go for `farm logs` (the main host's own disk, or shipped there by a remote worker). */
  logs: LogSink;
  log: (line: string) => void;
}

/**
 * The abort reason a worker gives its running jobs when it may deliver
 * nothing more (its token was revoked): they go back to the queue.
 */
export const HAND_BACK = 'hand-back';

/** The job can't be finished here: hand it back rather than record a failure. */
function handedBack(error: unknown, signal: AbortSignal | undefined): JobHandedBackError | undefined {
  if (error instanceof JobHandedBackError) return error;
  if (signal?.aborted === true && signal.reason === HAND_BACK) return new JobHandedBackError('this worker stopped delivering: the job goes back to the queue', { cause: error });
  return undefined;
}

/** Delivers the rest of a log after a failure, without hiding that failure. */
async function finishQuietly(delivery: LogDelivery, fallback: string): Promise<string> {
  return delivery.finish().catch(() => fallback);
}

/** The message, plus the log's last lines for build failures (the compiler's error is there). */
function describe(error: unknown): string {
  if (error instanceof BuildFailedError || error instanceof BuildTimeoutError) {
    return `${error.message}\n${error.context.logTail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** The processor of a target's queue: resolve and build jobs. */
export function targetProcessor(deps: ProcessorDeps): Processor {
  return async (job, _token, signal) => {
    if (job.name === JOB_NAMES.resolve) return processResolve(deps, job, signal);
    if (job.name === JOB_NAMES.build) return processBuild(deps, job, signal);
    throw new UnrecoverableError(`unknown job '${job.name}' in ${job.queueName}`);
  };
}

async function processResolve(deps: ProcessorDeps, job: Job, signal: AbortSignal | undefined): Promise<ResolveResult> {
  const data = validate(ResolveJobData, job.data, `job ${job.id ?? '?'} data`);
  const logPath = resolveLogPath(deps.build.stateDir, data.requestId, data.target, data.python);
  if (await deps.store.isCancelled(data.requestId)) return { ok: false, error: 'cancelled', logPath };
  const delivery = await deps.logs.open(logPath, { requestId: data.requestId, name: '_resolve', target: data.target, python: data.python });
  try {
    const result = await runResolve(deps.build, data, {
      jobId: job.id!,
      timeoutMs: deps.config.timeouts.resolveSeconds * 1000,
      ...(signal !== undefined ? { signal } : {}),
    });
    return { ...result, logPath: await delivery.finish() };
  } catch (error) {
    const back = handedBack(error, signal);
    if (back !== undefined) throw back;
    if (error instanceof ConfigError || isFinalFailure(error)) return { ok: false, error: describe(error), logPath: await finishQuietly(delivery, logPath) };
    deps.log(`resolve ${job.id}: attempt ${job.attemptsMade + 1} failed: ${describe(error)}`);
    await finishQuietly(delivery, logPath);
    throw error;
  }
}

async function processBuild(deps: ProcessorDeps, job: Job, signal: AbortSignal | undefined): Promise<TaskResult> {
  const data = validate(BuildJobData, job.data, `job ${job.id ?? '?'} data`);
  const startedAt = Date.now();
  const base = {
    taskId: data.buildId,
    requestId: data.requestId,
    repository: data.repository,
    startedAt,
    enqueuedAt: data.enqueuedAt,
    deterministic: false,
  };
  const logPath = buildLogPath(deps.build.stateDir, data.requestId, data.name, data.target, data.python);
  if (await deps.results.allRequestersCancelled(data.buildId, (id) => deps.store.isCancelled(id))) {
    await deps.results.write({ ...base, state: 'cancelled', logPath, durationMs: 0, containerMs: 0, containers: 0, finishedAt: Date.now() });
    throw new UnrecoverableError('cancelled: every request that asked for this build was cancelled');
  }
  deps.log(`build ${data.name}==${data.version} ${data.target} py${data.python}: start (attempt ${job.attemptsMade + 1})`);
  const delivery = await deps.logs.open(logPath, { requestId: data.requestId, name: data.name, target: data.target, python: data.python });
  try {
    const outcome = await runBuild(deps.build, data, {
      jobId: job.id!,
      attempt: job.attemptsMade + 1,
      ...(signal !== undefined ? { signal } : {}),
    });
    const result: TaskResult = {
      ...base,
      state: outcome.state,
      wheel: outcome.wheel,
      logPath: await delivery.finish(),
      durationMs: Date.now() - startedAt,
      containerMs: outcome.containerMs,
      containers: outcome.containers,
      timings: outcome.timings,
      finishedAt: Date.now(),
    };
    await deps.results.write(result);
    deps.log(`build ${data.name}==${data.version} ${data.target} py${data.python}: ${outcome.state} ${outcome.wheel}`);
    return result;
  } catch (error) {
    const back = handedBack(error, signal);
    if (back !== undefined) {
      deps.log(`build ${data.name}==${data.version} ${data.target} py${data.python}: handed back: ${back.message}`);
      throw back;
    }
    const final = isFinalFailure(error);
    deps.log(`build ${data.name}==${data.version} ${data.target} py${data.python}: ${final ? 'failed' : 'will retry'}: ${describe(error)}`);
    const deliveredLog = await finishQuietly(delivery, logPath);
    if (final || isLastAttempt(job)) {
      await deps.results.write({
        ...base,
        state: error instanceof CancelledError ? 'cancelled' : 'failed',
        logPath: deliveredLog,
        error: describe(error),
        deterministic: isCacheableFailure(error),
        durationMs: Date.now() - startedAt,
        containerMs: 0,
        containers: 0,
        finishedAt: Date.now(),
      });
    }
    if (final) throw new UnrecoverableError(describe(error));
    throw error instanceof FarmError ? error : new Error(describe(error), { cause: error });
  }
}

/** The processor of the mirror queue. */
export function mirrorProcessor(deps: ProcessorDeps): Processor {
  return async (job, _token, signal) => {
    const data = validate(MirrorJobData, job.data, `job ${job.id ?? '?'} data`);
    const startedAt = Date.now();
    const base = {
      taskId: data.mirrorId,
      requestId: data.requestId,
      repository: data.repository,
      startedAt,
      containerMs: 0,
      containers: 0,
      deterministic: false,
    };
    try {
      const outcome = await runMirror(deps.mirror, data, signal);
      const result: TaskResult = { ...base, state: outcome.state, wheel: outcome.wheel, logPath: outcome.logPath, durationMs: Date.now() - startedAt, finishedAt: Date.now() };
      await deps.results.write(result);
      return result;
    } catch (error) {
      const final = isFinalFailure(error);
      if (final || isLastAttempt(job)) {
        await deps.results.write({
          ...base,
          state: 'failed',
          logPath: mirrorLogPath(deps.mirror.stateDir, data.requestId, data.name, data.repository),
          error: describe(error),
          durationMs: Date.now() - startedAt,
          finishedAt: Date.now(),
        });
      }
      if (final) throw new UnrecoverableError(describe(error));
      throw error;
    }
  };
}
