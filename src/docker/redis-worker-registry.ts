import type { Redis } from 'ioredis';
import { WorkerInfo, type WorkerView } from './worker-info.js';
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

  /** The key holding what `workerId` last said about itself (JSON `WorkerInfo`). */
  infoKey(workerId: string): string {
    return `${this.#prefix}worker:${workerId}:info`;
  }

  /** The sorted set of every worker seen. */
  get knownKey(): string {
    return `${this.#prefix}workers`;
  }

  async heartbeat(workerId: string, info?: WorkerInfo): Promise<void> {
    const now = Date.now();
    const multi = this.redis
      .multi()
      .set(this.aliveKey(workerId), new Date(now).toISOString(), 'EX', this.ttlSeconds)
      .zadd(this.knownKey, now, workerId)
      // Bounded growth: one entry per worker process ever started.
      .zremrangebyscore(this.knownKey, '-inf', now - this.#forgetAfterMs);
    if (info !== undefined) multi.set(this.infoKey(workerId), JSON.stringify(info), 'PX', this.#forgetAfterMs);
    await multi.exec();
  }

  async unregister(workerId: string): Promise<void> {
    const info = await this.#info(workerId);
    const multi = this.redis.multi().del(this.aliveKey(workerId));
    if (info !== undefined) {
      const stopped: WorkerInfo = { ...info, running: [], stoppedAt: new Date().toISOString() };
      multi.set(this.infoKey(workerId), JSON.stringify(stopped), 'PX', this.#forgetAfterMs);
    }
    await multi.exec();
  }

  /**
   * The workers seen in the last `sinceMs` (default: all still remembered),
   * most recently seen first, with what each last said about itself.
   */
  async list(sinceMs?: number): Promise<WorkerView[]> {
    const min = sinceMs === undefined ? '-inf' : Date.now() - sinceMs;
    const flat = await this.redis.zrevrangebyscore(this.knownKey, '+inf', min, 'WITHSCORES');
    const views: WorkerView[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i]!;
      const [info, alive] = await Promise.all([this.#info(id), this.isAlive(id)]);
      views.push({ id, info, alive, lastSeen: Number(flat[i + 1]) });
    }
    return views;
  }

  async #info(workerId: string): Promise<WorkerInfo | undefined> {
    const raw = await this.redis.get(this.infoKey(workerId));
    if (raw === null) return undefined;
    try {
      const parsed = WorkerInfo.safeParse(JSON.parse(raw));
      // Written by another farm version, perhaps: show the worker without details rather than fail.
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async isAlive(workerId: string): Promise<boolean> {
    return (await this.redis.exists(this.aliveKey(workerId))) === 1;
  }

  async isKnown(workerId: string): Promise<boolean> {
    return (await this.redis.zscore(this.knownKey, workerId)) !== null;
  }
}
