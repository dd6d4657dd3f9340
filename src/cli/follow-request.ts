/**
 * Follows a running request on the terminal and returns its final status:
 * live progress redrawn in place on a TTY, one plain line per event
 * otherwise, nothing with `--json`. The pure renderers make the lines; this
 * is the thin part that writes them.
 */
import { ExitCode } from '../errors.js';
import type { Engine } from '../pipeline/index.js';
import type { RequestStatus } from '../pipeline/contract/request-types.js';
import type { CliContext } from './context.js';
import { renderEventLine, rowLabel, rowOutcome } from './render/event-line.js';
import { applyEvent, initialProgress } from './render/progress-state.js';
import { renderProgress } from './render/progress.js';
import { renderSummary } from './render/summary-table.js';
import { LiveBlock } from './terminal/live-block.js';

/** How often the live block is redrawn without events, so elapsed times tick. */
const TICK_MS = 1000;

/** How `followRequest` reports. */
export interface FollowOptions {
  json: boolean;
  /**
   * What Ctrl-C does: cancel the request (embedded mode, where the workers
   * stop with this process anyway) or just stop following (distributed).
   */
  onInterrupt: 'cancel' | 'detach';
}

/** Follows `requestId` to its end, prints the summary (or JSON) and returns the exit code. */
export async function followRequest(
  ctx: CliContext,
  engine: Engine,
  requestId: string,
  targets: readonly string[],
  options: FollowOptions,
): Promise<ExitCode> {
  const { io, style } = ctx;
  const startedAt = Date.now();
  let state = initialProgress(requestId, targets, startedAt);
  const live = io.isTTY && !options.json;
  const block = new LiveBlock(io);
  const redraw = () => block.draw(renderProgress(state, Date.now(), style, io.columns));
  const ticker = live ? setInterval(redraw, TICK_MS) : undefined;
  const abort = new AbortController();
  let interrupted = false;
  void io.interrupted().then(async () => {
    interrupted = true;
    if (options.onInterrupt === 'cancel') await engine.cancel(requestId).catch(() => {});
    abort.abort();
  });

  if (!options.json && !live) ctx.print(`request ${requestId}: following ${targets.join(', ')}`);
  if (live) redraw();
  try {
    for await (const event of engine.watch(requestId, undefined, { signal: abort.signal })) {
      state = applyEvent(state, event);
      if (options.json) continue;
      if (!live) {
        const line = renderEventLine(event, startedAt, style);
        if (line !== undefined) ctx.print(line);
        continue;
      }
      // Failures and warnings scroll above the live block, so they stay on screen.
      if (event.type === 'row' && event.row.state === 'failed') {
        block.clear();
        ctx.print(`${style.red('✗')} ${rowLabel(event.row)}: ${style.red(rowOutcome(event.row))}`);
      } else if (event.type === 'message' && event.level !== 'info') {
        block.clear();
        ctx.print(`${event.level === 'warn' ? style.yellow('warning:') : style.red('error:')} ${event.text}`);
      }
      redraw();
    }
  } catch (error) {
    if (!interrupted && !abort.signal.aborted) throw error;
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
  }

  if (interrupted) {
    if (live) block.release();
    ctx.warn(
      options.onInterrupt === 'detach'
        ? `stopped following; request ${requestId} goes on (farm status ${requestId}, farm cancel ${requestId})`
        : `interrupted: request ${requestId} was stopped`,
    );
    return ExitCode.failure;
  }
  const status = await engine.status(requestId);
  if (live) {
    state = { ...state, requestState: status.state, finished: true };
    redraw();
    block.release();
    ctx.print('');
  } else if (!options.json) {
    ctx.print('');
  }
  printResult(ctx, status, options.json);
  return exitCodeOf(status);
}

/** Prints a finished request: the summary table, or its status as JSON. */
export function printResult(ctx: CliContext, status: RequestStatus, json: boolean): void {
  if (json) ctx.print(JSON.stringify(status, null, 2));
  else ctx.print(...renderSummary(status, ctx.style));
}

/** 0 when everything asked for is published (or skipped on purpose), 1 otherwise. */
export function exitCodeOf(status: RequestStatus): ExitCode {
  if (status.state !== 'done') return ExitCode.failure;
  return status.rows.some((r) => r.state === 'failed') ? ExitCode.failure : ExitCode.ok;
}
