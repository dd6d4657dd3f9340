/**
 * Where recorded resolutions live (see target-jobs/resolve-cache.ts): one
 * Redis string per cache key, with an expiry.
 */
import type { Redis } from 'ioredis';
import type { FarmKeys } from './keys.js';

/** Recorded resolutions by cache key; the entries are the resolve cache's JSON. */
export interface ResolveCacheEntries {
  get(cacheKey: string): Promise<string | undefined>;
  set(cacheKey: string, entry: string, ttlSeconds: number): Promise<void>;
}

/** The entries in Redis, under `FarmKeys.resolveCache`. */
export function redisResolveCacheEntries(redis: Redis, keys: FarmKeys): ResolveCacheEntries {
  return {
    async get(cacheKey) {
      return (await redis.get(keys.resolveCache(cacheKey))) ?? undefined;
    },
    async set(cacheKey, entry, ttlSeconds) {
      await redis.set(keys.resolveCache(cacheKey), entry, 'EX', ttlSeconds);
    },
  };
}
