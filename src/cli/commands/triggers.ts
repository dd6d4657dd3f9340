/**
 * `farm api` and `farm schedule list|run|pause|resume`: the unattended side
 * of farm (webhooks, nightly rebuilds), wired to src/api and src/schedule.
 * Both need the farm's shared Redis.
 */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import type { TriggerQueue } from '../../tracked/trigger-queue.js';
import type { CliContext } from '../context.js';
import { isDistributed, prefixOption } from '../engine-session.js';
import { examples, parsePort } from '../options.js';
import { renderTable } from '../render/table.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** The schedule functions, loaded on use (they pull in BullMQ). */
const scheduleModule = () => import('../../schedule/schedules.js');

async function requireSharedRedis(ctx: CliContext, what: string) {
  const config = await ctx.config();
  if (!isDistributed(config)) {
    throw new UsageError(`${what} needs the farm's shared Redis`, {
      hint: 'set REDIS_URL=redis://host:6379 (or redis.url in farm.config.yaml), the same one farm worker uses',
    });
  }
  return config;
}

async function api(ctx: CliContext, options: { host?: string; port?: string }): Promise<ExitCode> {
  const port = options.port === undefined ? undefined : parsePort('--port', options.port);
  const config = await requireSharedRedis(ctx, 'farm api');
  const { openEngine } = await import('../../pipeline/index.js');
  const { startApi } = await import('../../api/server.js');
  const engine = await openEngine(config, prefixOption(ctx));
  try {
    const server = await startApi(config, {
      engine,
      env: ctx.io.env,
      ...prefixOption(ctx),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(port === undefined ? {} : { port }),
    });
    ctx.warn(`farm api: listening on ${server.url} (Ctrl-C stops)`);
    await ctx.io.interrupted();
    await server.close();
  } finally {
    await engine.close();
  }
  return ExitCode.ok;
}

async function withTriggers<T>(ctx: CliContext, fn: (queue: TriggerQueue, config: Awaited<ReturnType<CliContext['config']>>) => Promise<T>): Promise<T> {
  const config = await requireSharedRedis(ctx, 'farm schedule');
  const { openTriggerQueue } = await import('../../tracked/trigger-queue.js');
  const queue = await openTriggerQueue(config, prefixOption(ctx));
  try {
    return await fn(queue, config);
  } finally {
    await queue.close();
  }
}

/** Registers `farm api` and `farm schedule`. */
export function registerTriggers(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('api')
    .description('run the HTTP API: forge webhooks, request status, the queue dashboard and metrics')
    .option('--host <address>', 'address to bind (default: api.host)')
    .option('-p, --port <port>', 'TCP port (default: api.port)')
    .addHelpText('after', examples('REDIS_URL=redis://127.0.0.1:6379 farm api', 'REDIS_URL=redis://redis:6379 farm api --host 0.0.0.0 --port 8000'))
    .action((options: { host?: string; port?: string }) => run(api(ctx, options)));

  const schedule = program
    .command('schedule')
    .description('list, run, pause or resume the scheduled rebuilds of tracked requirement sets')
    .addHelpText('after', examples('farm schedule list', 'farm schedule run nightly-web', 'farm schedule pause nightly-web'));

  schedule
    .command('list')
    .description('show every schedule with its next run')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('farm schedule list'))
    .action((options: { json?: boolean }) =>
      run(
        withTriggers(ctx, async (queue, config) => {
          const schedules = await (await scheduleModule()).listSchedules(config, queue);
          if (options.json === true) ctx.print(JSON.stringify(schedules, null, 2));
          else if (schedules.length === 0) ctx.print('no schedules: give a tracked set a schedule in farm.config.yaml (sets[].schedule)');
          else {
            ctx.print(
              ...renderTable(
                ['set', 'cron', 'tz', 'next', 'state'],
                schedules.map((s) => [s.set, s.cron, s.tz, s.next ?? '-', s.paused ? 'paused' : s.configured ? 'active' : 'not configured (removed at next sync)']),
                ctx.style,
              ),
            );
          }
          return ExitCode.ok;
        }),
      ),
    );

  schedule
    .command('run')
    .description("run a tracked set now, whether or not it has a schedule")
    .argument('<set>', 'tracked set name')
    .addHelpText('after', examples('farm schedule run nightly-web'))
    .action((set: string) =>
      run(
        withTriggers(ctx, async (queue, config) => {
          const id = await (await scheduleModule()).runScheduleNow(config, queue, set);
          ctx.print(`${set}: queued run ${id}`);
          return ExitCode.ok;
        }),
      ),
    );

  for (const [verb, fn, done] of [
    ['pause', 'pauseSchedule', 'paused'],
    ['resume', 'resumeSchedule', 'resumed'],
  ] as const) {
    schedule
      .command(verb)
      .description(verb === 'pause' ? "stop a set's schedule until resumed (survives restarts)" : 'restart a paused schedule')
      .argument('<set>', 'tracked set name')
      .addHelpText('after', examples(`farm schedule ${verb} nightly-web`))
      .action((set: string) =>
        run(
          withTriggers(ctx, async (queue, config) => {
            await (await scheduleModule())[fn](config, queue, set);
            ctx.print(`${set}: ${done}`);
            return ExitCode.ok;
          }),
        ),
      );
  }
}
