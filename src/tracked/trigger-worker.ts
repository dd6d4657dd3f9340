/**
 * Processes the `triggers` queue: for a push, fetch the pushed commit and
 * read the set's requirement files there; for a schedule run, resolve the set
 * as it is now. Either way, submit one build request and record which one.
 * The planner makes everything already published "cached", so a nightly run
 * only builds what is new.
 */
import { createHash } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { FarmConfig } from '../config/schema.js';
import { ConfigError, FarmError, InputFileError, MissingFileError, NotFoundError, UsageError } from '../errors.js';
import type { ConnectionOptions } from '../pipeline/index.js';
import { redisOptions } from '../redis/redis-connection.js';
import { bullConnection } from '../redis/bull-connection.js';
import type { BuildRequestInputArg } from '../pipeline/contract/request-types.js';
import { validate } from '../validation/validate.js';
import type { BuildSubmitter } from './build-submitter.js';
import { gitClient, type GitClient } from './git-client.js';
import { isGitSet } from './match-push.js';
import { resolvePushedSet, resolveSetNow, type ResolvedSet } from './resolve-set.js';
import { TRIGGER_QUEUE, TriggerJobData, sharedRedisUrl } from './trigger-queue.js';
import { TriggerRecords } from './trigger-records.js';

/** A structured log sink (a pino logger fits). */
export interface TriggerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the trigger worker needs besides the config. */
export interface TriggerWorkerDeps extends ConnectionOptions {
  submitter: BuildSubmitter;
  git?: GitClient;
  /** Base of relative `source.path`s (default: the process's cwd). */
  cwd?: string;
  /** Trigger jobs at once (default 2: they mostly wait on git). */
  concurrency?: number;
  log?: TriggerLog;
}

/** A running trigger worker. */
export interface TriggerWorker {
  /** Stops taking jobs, lets running ones finish, closes connections. */
  close(): Promise<void>;
}

/** Errors that retrying won't fix: the job fails at once. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof ConfigError ||
    error instanceof InputFileError ||
    error instanceof MissingFileError ||
    error instanceof NotFoundError ||
    error instanceof UsageError
  );
}

/** The trigger id of a job: given for pushes and manual runs, derived from the job id for scheduled runs. */
export function triggerIdOf(data: TriggerJobData, jobId: string): string {
  if (data.kind === 'push') return data.triggerId;
  return data.triggerId ?? `sched-${createHash('sha256').update(jobId).digest('hex').slice(0, 24)}`;
}

/** Starts a worker on the `triggers` queue. */
export async function startTriggerWorker(config: FarmConfig, deps: TriggerWorkerDeps): Promise<TriggerWorker> {
  const redisUrl = sharedRedisUrl(config, deps, 'the trigger worker');
  const prefix = deps.prefix ?? 'farm';
  const redis = new Redis({ ...redisOptions(redisUrl, config.redis), maxRetriesPerRequest: 3 });
  const records = new TriggerRecords(redis, prefix);
  const git = deps.git ?? gitClient();
  const cwd = deps.cwd ?? process.cwd();

  async function processJob(job: Job): Promise<{ requestId: string }> {
    const data = validate(TriggerJobData, job.data, `trigger job ${job.id ?? '?'}`);
    const triggerId = triggerIdOf(data, job.id ?? job.name);
    const record =
      (await records.get(triggerId)) ??
      (await records.create({ id: triggerId, set: data.set, origin: data.kind === 'push' ? 'webhook' : 'schedule' }));
    // A retried job whose submit went through must not submit again.
    if (record.requestId !== undefined) return { requestId: record.requestId };
    try {
      const set = config.sets.find((s) => s.name === data.set);
      if (set === undefined) throw new NotFoundError(`tracked set '${data.set}' is not in the configuration`);
      await records.update(triggerId, { state: 'fetching' });
      let resolved: ResolvedSet;
      const metadata: Record<string, string> = { set: set.name, trigger: triggerId };
      if (data.kind === 'push') {
        if (!isGitSet(set)) throw new NotFoundError(`tracked set '${set.name}' has no git source`);
        resolved = await resolvePushedSet(set, data.sha, data.ref, git);
        Object.assign(metadata, { forge: data.forge, repository: data.repository, delivery: data.delivery });
      } else {
        resolved = await resolveSetNow(set, git, cwd);
      }
      const input: BuildRequestInputArg = {
        requirements: resolved.requirements,
        targets: set.targets,
        ...(set.python === undefined ? {} : { python: set.python }),
        origin: data.kind === 'push' ? 'webhook' : 'schedule',
        metadata: { ...metadata, ...resolved.metadata },
      };
      const requestId = await deps.submitter.submit(input);
      await records.update(triggerId, { state: 'submitted', requestId });
      deps.log?.info({ trigger: triggerId, set: set.name, requestId, kind: data.kind }, 'build request submitted');
      return { requestId };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = isPermanent(error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || lastAttempt) await records.update(triggerId, { state: 'failed', error: message });
      deps.log?.warn(
        { trigger: triggerId, set: data.set, code: error instanceof FarmError ? error.code : undefined, err: message },
        permanent ? 'trigger failed' : 'trigger attempt failed',
      );
      throw permanent ? new UnrecoverableError(message) : error;
    }
  }

  const worker = new Worker(TRIGGER_QUEUE, processJob, {
    connection: bullConnection(redisUrl, config.redis),
    prefix,
    concurrency: deps.concurrency ?? 2,
  });
  // Errors are recorded per job; the event only keeps node from treating them as unhandled.
  worker.on('error', () => {});
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}
