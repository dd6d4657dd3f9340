/**
 * `farm worker [--targets] [--server URL --token-file F] [--no-builds]`:
 * serve jobs from a shared Redis until interrupted. On the main host a
 * worker writes the repositories itself; with `--server` it is a remote
 * worker that needs no repository root and delivers through `farm api`.
 */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { parseTargets } from '../../targets/parse-targets.js';
import type { CliContext } from '../context.js';
import { isDistributed, prefixOption } from '../engine-session.js';
import { examples, parseHttpUrl, parsePositiveInt } from '../options.js';

interface WorkerCliOptions {
  targets?: string;
  concurrency?: string;
  id?: string;
  server?: string;
  tokenFile?: string;
  builds: boolean;
}

/** Env vars for the remote options, for containers (`docker run -e`). */
const SERVER_ENV = 'FARM_SERVER';
const TOKEN_FILE_ENV = 'FARM_TOKEN_FILE';

function remoteOptions(ctx: CliContext, options: WorkerCliOptions): { serverUrl: string; tokenFile: string } | undefined {
  const server = options.server ?? (ctx.io.env[SERVER_ENV] || undefined);
  const tokenFile = options.tokenFile ?? (ctx.io.env[TOKEN_FILE_ENV] || undefined);
  if (server === undefined && tokenFile === undefined) return undefined;
  if (server === undefined) throw new UsageError('--token-file needs --server: the farm api to deliver to');
  if (tokenFile === undefined) {
    throw new UsageError('--server needs --token-file: a worker token from the main host', {
      hint: 'on the main host: farm tokens create --name <name> --targets <targets> > token-file',
    });
  }
  return { serverUrl: parseHttpUrl('--server', server), tokenFile: ctx.resolvePath(tokenFile) };
}

async function worker(ctx: CliContext, options: WorkerCliOptions): Promise<ExitCode> {
  const targets = !options.builds ? [] : options.targets === undefined ? undefined : parseTargets(options.targets).map((t) => t.id);
  const concurrency = options.concurrency === undefined ? undefined : parsePositiveInt('--concurrency', options.concurrency);
  const remote = remoteOptions(ctx, options);
  if (remote !== undefined && !options.builds) throw new UsageError('--no-builds leaves a remote worker nothing to do');
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
  const serving = targets === undefined ? 'every target this host can run' : targets.length === 0 ? 'requests and mirror downloads only' : targets.join(', ');
  ctx.print(`farm worker: serving ${serving}${remote === undefined ? '' : ` for ${remote.serverUrl}`}; Ctrl-C to stop`);
  await runWorkers(config, {
    ...prefixOption(ctx),
    ...(targets === undefined ? {} : { targets }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(options.id === undefined ? {} : { workerId: options.id }),
    ...(remote === undefined ? {} : { remote, orchestrate: false }),
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
    .description('run workers that take jobs from the shared Redis (REDIS_URL)')
    .option('-t, --targets <ids>', 'comma-separated targets this worker serves (default: all this host can run)')
    .option('-c, --concurrency <n>', 'builds at once in this process (default: concurrency.builds)')
    .option('--id <worker-id>', 'a stable worker id for container labels (default: hostname and pid)')
    .option('--server <url>', `a remote worker: farm api's URL, where wheels and logs go (env ${SERVER_ENV}); no repository root needed`)
    .option('--token-file <file>', `the worker token made on the main host by farm tokens create (env ${TOKEN_FILE_ENV})`)
    .option('--no-builds', 'only request and mirror jobs: the main host when remote workers build')
    .addHelpText(
      'after',
      examples(
        'REDIS_URL=redis://farm.example.org:6379 farm worker',
        'REDIS_URL=redis://farm.example.org:6379 farm worker --targets glibc-armv7,glibc-aarch64 --concurrency 4',
        'REDIS_URL=rediss://arm-1@farm.example.org:6380 REDIS_TLS_CA=ca.crt farm worker --server https://farm.example.org/ --token-file arm-1.token --targets glibc-armv7',
        'REDIS_URL=redis://127.0.0.1:6379 farm worker --no-builds',
      ),
    )
    .action((options: WorkerCliOptions) => run(worker(ctx, options)));
}
