import type { ConnectionOptions } from 'bullmq';
import { redisOptions } from './redis-connection.js';
import type { RedisSecurity } from './redis-security.js';

/**
 * BullMQ connection options for a farm Redis URL (`redis://`, `rediss://`,
 * `unix://`). ioredis' option type declares `retryStrategy` as nullable where
 * BullMQ's does not; farm never sets it, so the object is the same either way.
 */
export function bullConnection(url: string, security: RedisSecurity = {}): ConnectionOptions {
  return redisOptions(url, security) as ConnectionOptions;
}
