/** `farm worker [--targets]`: serve build jobs from a shared Redis until interrupted. */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { parseTargets } from '../../targets/parse-targets.js';
import type { CliContext } from '../context.js';
import { isDistributed, prefixOption } from '../engine-session.js';
import { examples, parsePositiveInt } from '../options.js';

interface WorkerCliOptions {
  targets?: string;
  concurrency?: string;
  id?: string;
}

async function worker(ctx: CliContext, options: WorkerCliOptions): Promise<ExitCode> {
  const targets = options.targets === undefined ? undefined : parseTargets(options.targets).map((t) => t.id);
  const concurrency = options.concurrency === undefined ? undefined : parsePositiveInt('--concurrency', options.concurrency);
  const config = await ctx.config();
  if (!isDistributed(config)) {
    throw new UsageError('farm worker needs a shared Redis to take jobs from', {
      hint: 'set REDIS_URL=redis://host:6379 (or redis.url in farm.config.yaml); a single machine needs no worker: farm build runs its own',
    });
  }
  const abort = new AbortController();
  void ctx.io.interrupted().then(() => {
    ctx.warn('stopping: running builds finish, no new ones start (Ctrl-C again to quit now)');
    abort.abort();
  });
  const { runWorkers } = await import('../../pipeline/index.js');
  ctx.print(`farm worker: serving ${targets?.join(', ') ?? 'every target this host can run'}; Ctrl-C to stop`);
  await runWorkers(config, {
    ...prefixOption(ctx),
    ...(targets === undefined ? {} : { targets }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(options.id === undefined ? {} : { workerId: options.id }),
    signal: abort.signal,
    log: (line) => ctx.print(line),
  });
  ctx.print('farm worker: stopped');
  return ExitCode.ok;
}

/** Registers `farm worker`. */
export function registerWorker(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('worker')
    .description('run build workers that take jobs from the shared Redis (REDIS_URL)')
    .option('-t, --targets <ids>', 'comma-separated targets this worker serves (default: all this host can run)')
    .option('-c, --concurrency <n>', 'builds at once in this process (default: concurrency.builds)')
    .option('--id <worker-id>', 'a stable worker id for container labels (default: hostname and pid)')
    .addHelpText(
      'after',
      examples(
        'REDIS_URL=redis://farm.example.org:6379 farm worker',
        'REDIS_URL=redis://farm.example.org:6379 farm worker --targets glibc-armv7,glibc-aarch64 --concurrency 4',
      ),
    )
    .action((options: WorkerCliOptions) => run(worker(ctx, options)));
}
