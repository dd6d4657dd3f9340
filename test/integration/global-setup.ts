import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Integration tests need the real services. When one is missing the whole
 * tier fails up front, saying how to start it, instead of skipping quietly.
 */
export default async function checkServices(): Promise<void> {
  const problems: string[] = [];
  const redisUrl = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis is not reachable at ${redisUrl} (${(error as Error).message}).\n` +
        `  Start it with: sudo scripts/setup-host.sh   (or: redis-server --daemonize yes)`,
    );
  } finally {
    redis.disconnect();
  }
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 });
  } catch (error) {
    problems.push(
      `The Docker engine is not reachable (${(error as Error).message.split('\n')[0]}).\n` +
        `  Start it with: sudo scripts/setup-host.sh   (or: dockerd &)`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`integration tests need real services:\n${problems.join('\n')}`);
  }
}
