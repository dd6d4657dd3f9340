import { Redis } from 'ioredis';

/** The Redis the integration tests (and benches) use. */
export const TEST_REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Deletes every key under `prefix:` (BullMQ's and farm's), so a test or bench
 * leaves nothing behind in the shared Redis.
 */
export async function dropRedisPrefix(prefix: string, redisUrl: string = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
