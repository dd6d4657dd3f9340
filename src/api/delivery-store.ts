/**
 * Remembers which request a webhook delivery created, so a redelivery (the
 * forge's retry, or "Redeliver" pressed by a person) answers with the same
 * request id instead of building again.
 */

/** Where delivery → requests mappings live (Redis in production, a Map in unit tests). */
export interface DeliveryStore {
  /**
   * Stores `value` under `key` for `ttlSeconds` unless the key exists.
   * Returns `undefined` when this call stored it, else the value already
   * stored. Atomic: of two concurrent claims exactly one wins.
   */
  claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined>;
  /** Deletes `key` if it still holds `value`: undoes a claim whose enqueue failed. */
  release(key: string, value: string): Promise<void>;
}

/** The subset of an ioredis client the Redis store uses. */
export interface DeliveryRedis {
  set(key: string, value: string, ex: 'EX', seconds: number, nx: 'NX'): Promise<'OK' | null>;
  get(key: string): Promise<string | null>;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

const RELEASE_IF_SAME = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A `DeliveryStore` on Redis: `SET key value EX ttl NX`. Keys are `<prefix>:farm:hook-delivery:<key>` (beside the pipeline's `<prefix>:farm:` keys, outside BullMQ's `<prefix>:<queue>:` space). */
export function redisDeliveryStore(redis: DeliveryRedis, prefix: string): DeliveryStore {
  const full = (key: string) => `${prefix}:farm:hook-delivery:${key}`;
  return {
    async claim(key, value, ttlSeconds) {
      // A claim that loses to an existing key which then expires before the
      // GET is retried once, so a caller never sees "claimed by nobody".
      for (let attempt = 0; attempt < 2; attempt++) {
        const stored = await redis.set(full(key), value, 'EX', ttlSeconds, 'NX');
        if (stored === 'OK') return undefined;
        const existing = await redis.get(full(key));
        if (existing !== null) return existing;
      }
      return undefined;
    },
    async release(key, value) {
      await redis.eval(RELEASE_IF_SAME, 1, full(key), value);
    },
  };
}
