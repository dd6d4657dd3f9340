/**
 * How CLI commands reach the build engine. With `REDIS_URL` (or `redis.url`)
 * they talk to that shared Redis: builds are done by `farm worker`
 * processes. Without it, farm is one machine: `farm build` starts a private
 * redis-server and runs the workers in-process; the other commands join a
 * running one when there is one.
 */
import { stateDir } from '../config/load-config.js';
import type { FarmConfig } from '../config/schema.js';
import type { Engine } from '../pipeline/index.js';
import type { CliContext } from './context.js';

/** Env var naming the Redis key prefix, to run several farms on one Redis (default `farm`). */
export const PREFIX_ENV = 'FARM_REDIS_PREFIX';

/** The prefix option for the engine, when the environment sets one. */
export function prefixOption(ctx: CliContext): { prefix?: string } {
  const prefix = ctx.io.env[PREFIX_ENV];
  return prefix === undefined || prefix === '' ? {} : { prefix };
}

/** True when farm runs distributed (a shared Redis is configured). */
export function isDistributed(config: FarmConfig): boolean {
  return config.redis.url !== undefined;
}

async function answers(socketPath: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ path: socketPath, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Runs `fn` with an engine. `workers: true` (farm build, farm retry) also
 * runs the workers in-process in embedded mode. Always closes the engine.
 */
export async function withEngine<T>(
  ctx: CliContext,
  options: { workers: boolean },
  fn: (engine: Engine, mode: 'distributed' | 'embedded') => Promise<T>,
): Promise<T> {
  const config = await ctx.config();
  // Loaded on use: BullMQ and friends are not needed for --help or usage errors.
  const { openEngine, withEmbeddedRedis } = await import('../pipeline/index.js');
  const { embeddedSocketPath } = await import('../redis/embedded-redis.js');
  const prefix = prefixOption(ctx);
  const session = async (redisUrl: string | undefined, workers: boolean, mode: 'distributed' | 'embedded') => {
    const engine = await openEngine(config, { ...prefix, ...(redisUrl === undefined ? {} : { redisUrl }), workers });
    try {
      return await fn(engine, mode);
    } finally {
      await engine.close();
    }
  };
  if (isDistributed(config)) return session(undefined, false, 'distributed');
  const dir = stateDir(config);
  const socket = embeddedSocketPath(dir);
  // A `farm build` of this farm is running: look at its Redis rather than
  // starting another one (which would replace it under its feet).
  if (!options.workers && (await answers(socket))) return session(`unix://${socket}`, false, 'embedded');
  return withEmbeddedRedis(dir, (url) => session(url, options.workers, 'embedded'), {
    serverBinary: config.redis.serverBinary,
  });
}
