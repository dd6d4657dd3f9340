import type { Redis } from 'ioredis';
import type { WorkerHeartbeat } from './worker-registry.js';

/** Tuning of `RedisWorkerRegistry`. */
export interface RedisWorkerRegistryOptions {
  /** Key prefix; tests use a random one. Default `farm:`. */
  prefix?: string;
  /** How long a heartbeat keeps a worker alive. Beat at a third of this. Default 30 s. */
  ttlSeconds?: number;
  /** Workers not seen for this long are forgotten (see `isKnown`). Default 30 days. */
  forgetAfterSeconds?: number;
}

/**
 * Worker liveness in Redis: one key per worker with a TTL that each heartbeat
 * refreshes, plus a sorted set of every worker seen (score: last beat) so a
 * sweeper can tell "dead worker of this farm" from "worker of another farm
 * on the same engine". Every worker on every host shares the Redis.
 */
export class RedisWorkerRegistry implements WorkerHeartbeat {
  readonly #prefix: string;
  readonly ttlSeconds: number;
  readonly #forgetAfterMs: number;

  constructor(
    private readonly redis: Redis,
    options: RedisWorkerRegistryOptions = {},
  ) {
    this.#prefix = options.prefix ?? 'farm:';
    this.ttlSeconds = options.ttlSeconds ?? 30;
    this.#forgetAfterMs = (options.forgetAfterSeconds ?? 30 * 24 * 3600) * 1000;
  }

  /** The key holding `workerId`'s heartbeat. */
  aliveKey(workerId: string): string {
    return `${this.#prefix}worker:${workerId}:alive`;
  }

  /** The sorted set of every worker seen. */
  get knownKey(): string {
    return `${this.#prefix}workers`;
  }

  async heartbeat(workerId: string): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .set(this.aliveKey(workerId), new Date(now).toISOString(), 'EX', this.ttlSeconds)
      .zadd(this.knownKey, now, workerId)
      // Bounded growth: one entry per worker process ever started.
      .zremrangebyscore(this.knownKey, '-inf', now - this.#forgetAfterMs)
      .exec();
  }

  async unregister(workerId: string): Promise<void> {
    await this.redis.del(this.aliveKey(workerId));
  }

  async isAlive(workerId: string): Promise<boolean> {
    return (await this.redis.exists(this.aliveKey(workerId))) === 1;
  }

  async isKnown(workerId: string): Promise<boolean> {
    return (await this.redis.zscore(this.knownKey, workerId)) !== null;
  }
}
