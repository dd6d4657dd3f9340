/** `farm status`, `farm cancel`, `farm retry`: inspect and steer requests. */
import type { Command } from 'commander';
import { ExitCode, NotFoundError, TransientError, UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { isDistributed, withEngine } from '../engine-session.js';
import { followRequest, printResult } from '../follow-request.js';
import { examples, parsePositiveInt } from '../options.js';
import { renderRequestHeader, renderRequestList } from '../render/request-list.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** Why an embedded farm forgets requests, and what it keeps. */
const EMBEDDED_NOTE =
  'without REDIS_URL, farm knows a request only while its farm build runs; the build logs stay on disk (farm logs <request-id>)';

async function status(ctx: CliContext, id: string | undefined, options: { json: boolean; limit?: string }): Promise<ExitCode> {
  const limit = options.limit === undefined ? undefined : parsePositiveInt('--limit', options.limit);
  return withEngine(ctx, { workers: false }, async (engine, mode) => {
    if (id === undefined) {
      const requests = await engine.list(limit === undefined ? {} : { limit });
      ctx.print(...(options.json ? [JSON.stringify(requests, null, 2)] : renderRequestList(requests, Date.now(), ctx.style)));
      if (mode === 'embedded' && requests.length === 0 && !options.json) ctx.print(EMBEDDED_NOTE);
      return ExitCode.ok;
    }
    let result;
    try {
      result = await engine.status(id);
    } catch (error) {
      if (mode === 'embedded' && error instanceof NotFoundError) throw new NotFoundError(error.message, { hint: EMBEDDED_NOTE });
      throw error;
    }
    if (!options.json) ctx.print(...renderRequestHeader(result, ctx.style));
    printResult(ctx, result, options.json);
    return ExitCode.ok;
  });
}

/** How long `farm cancel` waits for running build containers to stop. */
const CANCEL_WAIT_MS = 30_000;

async function cancel(ctx: CliContext, id: string): Promise<ExitCode> {
  return withEngine(ctx, { workers: false }, async (engine) => {
    await engine.cancel(id);
    // Like `docker stop`: return once the request's containers have stopped,
    // so a script that cancels and then cleans up does not race the worker.
    let state: string;
    try {
      state = (await engine.wait(id, { timeoutMs: CANCEL_WAIT_MS })).state;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      state = `${(await engine.status(id)).state} (still stopping after ${CANCEL_WAIT_MS / 1000} s; see farm status ${id})`;
    }
    ctx.print(`request ${id}: ${state}`);
    return ExitCode.ok;
  });
}

async function retry(ctx: CliContext, id: string, options: { failed: boolean; wait: boolean; json: boolean }): Promise<ExitCode> {
  if (!options.wait && !isDistributed(await ctx.config())) {
    throw new UsageError('--no-wait needs a shared Redis: without REDIS_URL the build runs inside this farm process', {
      hint: 'set REDIS_URL (or redis.url in farm.config.yaml) and run farm worker, or drop --no-wait',
    });
  }
  return withEngine(ctx, { workers: options.wait }, async (engine, mode) => {
    const previous = await engine.status(id);
    const newId = await engine.retry(id, { failedOnly: options.failed });
    if (!options.wait) {
      ctx.print(options.json ? JSON.stringify({ id: newId }) : newId);
      return ExitCode.ok;
    }
    if (!options.json) ctx.print(`request ${newId}: retry of ${id}${options.failed ? ' (failed packages only)' : ''}`);
    return followRequest(ctx, engine, newId, previous.targets, {
      json: options.json,
      onInterrupt: mode === 'embedded' ? 'cancel' : 'detach',
    });
  });
}

/** Registers `farm status`, `farm cancel` and `farm retry`. */
export function registerRequestCommands(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('status')
    .description('show recent requests, or one request in detail')
    .argument('[request-id]', 'a request id from farm build')
    .option('--json', 'print JSON (the same data as GET /requests/:id)')
    .option('-n, --limit <n>', 'how many recent requests to list (default 20)')
    .addHelpText('after', examples('farm status', 'farm status 01J9Z7K3TQ', 'farm status 01J9Z7K3TQ --json'))
    .action((id: string | undefined, options: { json: boolean; limit?: string }) =>
      run(status(ctx, id, { json: options.json === true, ...(options.limit === undefined ? {} : { limit: options.limit }) })),
    );

  program
    .command('cancel')
    .description('cancel a request: queued builds are dropped, running build containers stop')
    .argument('<request-id>', 'the request to cancel')
    .addHelpText('after', examples('farm cancel 01J9Z7K3TQ'))
    .action((id: string) => run(cancel(ctx, id)));

  program
    .command('retry')
    .description('run a request again, all of it or only its failed packages')
    .argument('<request-id>', 'the request to run again')
    .option('--failed', 'rebuild only the packages that failed')
    .option('--no-wait', 'print the new request id without following it (needs REDIS_URL)')
    .option('--json', 'print the final status as JSON')
    .addHelpText('after', examples('farm retry 01J9Z7K3TQ', 'farm retry 01J9Z7K3TQ --failed'))
    .action((id: string, options: { failed?: boolean; wait: boolean; json?: boolean }) =>
      run(retry(ctx, id, { failed: options.failed === true, wait: options.wait, json: options.json === true })),
    );
}
