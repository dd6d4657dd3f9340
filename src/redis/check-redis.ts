/**
 * The start-up check of a Redis connection. The connections farm keeps open
 * (BullMQ's) retry forever, which is right for a network blip but turns a
 * wrong CA or password into a silent hang at start. So every command that
 * needs Redis first connects once without retries and with a deadline, and a
 * failure becomes a `HostError` saying what is wrong and which setting fixes it.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { HostError } from '../errors.js';
import { describeRedisFailure } from './redis-failure.js';

/** `rediss://host:port` or `unix:///path`: where, without credentials. */
export function redisLocation(options: RedisOptions): string {
  if (options.path !== undefined) return `unix://${options.path}`;
  return `${options.tls === undefined ? 'redis' : 'rediss'}://${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * Connects, authenticates and pings once. Resolves when Redis answers;
 * throws `HostError` otherwise, within about `timeoutMs`.
 */
export async function checkRedis(options: RedisOptions, timeoutMs = 10_000): Promise<void> {
  let cause: { code?: string; message: string } | undefined;
  const client = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
  });
  client.on('error', (error: NodeJS.ErrnoException) => {
    cause ??= { ...(error.code === undefined ? {} : { code: error.code }), message: error.message };
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = cause ?? { ...((error as NodeJS.ErrnoException).code === undefined ? {} : { code: (error as NodeJS.ErrnoException).code! }), message: (error as Error).message };
    const failure = describeRedisFailure(redisLocation(options), reason.code, reason.message);
    throw new HostError(failure.message, { hint: failure.hint, cause: error });
  } finally {
    client.disconnect();
  }
}
