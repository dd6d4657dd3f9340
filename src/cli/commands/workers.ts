/** `farm workers`: the workers of this farm (local and remote), from the shared Redis. */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { isDistributed, prefixOption } from '../engine-session.js';
import { examples, parsePositiveInt } from '../options.js';
import { renderWorkerList, workerState } from '../render/worker-list.js';

interface WorkersOptions {
  json?: boolean;
  hours?: string;
}

async function workers(ctx: CliContext, options: WorkersOptions): Promise<ExitCode> {
  const hours = options.hours === undefined ? 24 : parsePositiveInt('--hours', options.hours);
  const config = await ctx.config();
  if (!isDistributed(config)) {
    throw new UsageError('farm workers needs the farm\'s shared Redis', {
      hint: 'set REDIS_URL (or redis.url in farm.config.yaml); a single-host farm runs its workers inside farm build',
    });
  }
  const { Redis } = await import('ioredis');
  const { redisOptions } = await import('../../redis/redis-connection.js');
  const { FarmKeys, DEFAULT_PREFIX } = await import('../../pipeline/store/keys.js');
  const { RedisWorkerRegistry } = await import('../../docker/redis-worker-registry.js');
  const { checkRedis } = await import('../../redis/check-redis.js');
  const connection = redisOptions(config.redis.url!, config.redis);
  await checkRedis(connection);
  const redis = new Redis({ ...connection, maxRetriesPerRequest: 1 });
  try {
    const keys = new FarmKeys(prefixOption(ctx).prefix ?? DEFAULT_PREFIX);
    const views = await new RedisWorkerRegistry(redis, { prefix: keys.workerRegistryPrefix() }).list(hours * 3600_000);
    if (options.json === true) {
      ctx.print(JSON.stringify(views.map((v) => ({ ...v, state: workerState(v), lastSeen: new Date(v.lastSeen).toISOString() })), null, 2));
    } else {
      ctx.print(...renderWorkerList(views, Date.now(), ctx.style));
    }
    return ExitCode.ok;
  } finally {
    redis.disconnect();
  }
}

/** Registers `farm workers`. */
export function registerWorkers(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('workers')
    .description('list the workers of this farm: host, targets (native or emulated), running jobs, last heartbeat')
    .option('--hours <n>', 'also list workers gone within the last n hours (default 24)')
    .option('--json', 'print JSON (with the running job ids)')
    .addHelpText('after', examples('farm workers', 'farm workers --json --hours 168'))
    .action((options: WorkersOptions) => run(workers(ctx, options)));
}
