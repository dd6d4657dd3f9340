/**
 * Turns farm's Redis URL into ioredis options. ioredis does not understand
 * `unix://` URLs, which the embedded mode uses, so both forms are mapped here.
 */
import type { RedisOptions } from 'bullmq';
import { UsageError } from '../errors.js';
import { securityOptions, type RedisSecurity } from './redis-security.js';

/**
 * ioredis options for `redis://`, `rediss://` or `unix:///path/to.sock`,
 * with the TLS files and password file of `security` (`config.redis`) read.
 * `maxRetriesPerRequest: null` is what BullMQ workers require.
 */
export function redisOptions(url: string, security: RedisSecurity = {}): RedisOptions {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new UsageError(`redis url '${url}': unix socket path must be absolute`);
    return { ...base, path: socketPath, ...securityOptions(false, { ...security, tls: undefined }) };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid redis url '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UsageError(`redis url '${url}': expected redis://, rediss:// or unix://`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    ...base,
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) ? { db } : {}),
    ...securityOptions(parsed.protocol === 'rediss:', security),
  };
}
