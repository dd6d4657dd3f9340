/**
 * The `triggers` BullMQ queue: one job per webhook push (per tracked set) and
 * per schedule run. The HTTP handler and the schedulers only enqueue; the
 * trigger worker fetches, reads the requirement files and submits the build.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { Forge, type FarmConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { checkRedis } from '../redis/check-redis.js';
import { redisOptions } from '../redis/redis-connection.js';
import { bullConnection } from '../redis/bull-connection.js';
import type { ConnectionOptions } from '../pipeline/index.js';
import { TriggerRecords } from './trigger-records.js';

/** The queue's name (under the BullMQ prefix). */
export const TRIGGER_QUEUE = 'triggers';

/** Job data of the `triggers` queue, validated when a worker reads it back. */
export const TriggerJobData = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('push'),
    triggerId: z.string().min(1),
    set: z.string().min(1),
    forge: Forge,
    sha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
    ref: z.string().min(1),
    repository: z.string(),
    delivery: z.string(),
  }),
  z.strictObject({
    kind: z.literal('schedule'),
    set: z.string().min(1),
    /** Set by `runScheduleNow`; jobs made by the scheduler get one from their job id. */
    triggerId: z.string().min(1).optional(),
  }),
]);
export type TriggerJobData = z.infer<typeof TriggerJobData>;

/** Push jobs are retried on transient git/network errors. */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
} as const;

/** An open `triggers` queue plus the trigger records. Close it when done. */
export interface TriggerQueue {
  /** Untyped on purpose: job data is validated with `TriggerJobData` when read back. */
  readonly queue: Queue;
  readonly records: TriggerRecords;
  /** Plain Redis connection (records, deliveries, pause flags, rate limits). */
  readonly redis: Redis;
  /** The key prefix: BullMQ's and farm's own keys. */
  readonly prefix: string;
  /** The Redis URL, for workers opened beside it. */
  readonly redisUrl: string;
  /** Records and enqueues push triggers (job id = trigger id, so a repeat add is a no-op). */
  enqueuePushes(
    triggers: readonly Omit<Extract<TriggerJobData, { kind: 'push' }>, 'kind'>[],
  ): Promise<void>;
  /** Records and enqueues one run of a set's schedule now; returns the trigger id. */
  enqueueScheduleRun(set: string): Promise<string>;
  close(): Promise<void>;
}

/** The Redis URL for components that must share Redis with the workers. */
export function sharedRedisUrl(config: FarmConfig, options: ConnectionOptions, what: string): string {
  const url = options.redisUrl ?? config.redis.url;
  if (url === undefined) {
    throw new UsageError(`${what} needs the farm's shared Redis`, {
      hint: 'set REDIS_URL (or redis.url in farm.config.yaml) to the Redis the workers use',
    });
  }
  return url;
}

/** Opens the `triggers` queue on the configured (or given) Redis. */
export async function openTriggerQueue(config: FarmConfig, options: ConnectionOptions = {}): Promise<TriggerQueue> {
  const redisUrl = sharedRedisUrl(config, options, 'the trigger queue');
  const prefix = options.prefix ?? 'farm';
  await checkRedis(redisOptions(redisUrl, config.redis));
  const redis = new Redis({ ...redisOptions(redisUrl, config.redis), maxRetriesPerRequest: 3 });
  const queue = new Queue(TRIGGER_QUEUE, { connection: bullConnection(redisUrl, config.redis), prefix, defaultJobOptions: JOB_OPTIONS });
  await queue.waitUntilReady();
  const records = new TriggerRecords(redis, prefix);
  let closed = false;
  return {
    queue,
    records,
    redis,
    prefix,
    redisUrl,
    async enqueuePushes(triggers) {
      for (const t of triggers) {
        await records.create({
          id: t.triggerId,
          set: t.set,
          origin: 'webhook',
          forge: t.forge,
          sha: t.sha,
          ref: t.ref,
          repository: t.repository,
          delivery: t.delivery,
        });
      }
      await queue.addBulk(
        triggers.map((t) => ({
          name: 'push',
          data: { kind: 'push', ...t } satisfies TriggerJobData,
          opts: { jobId: t.triggerId },
        })),
      );
    },
    async enqueueScheduleRun(set) {
      const triggerId = randomUUID();
      await records.create({ id: triggerId, set, origin: 'schedule' });
      await queue.add('schedule', { kind: 'schedule', set, triggerId } satisfies TriggerJobData, { jobId: triggerId });
      return triggerId;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue.close();
      redis.disconnect();
    },
  };
}
