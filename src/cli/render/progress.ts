/**
 * The live progress block of `farm build` on a terminal: a header line and
 * one line per target with its counts and elapsed time. Pure (state and
 * clock in, lines out); `terminal/live-block.ts` redraws it in place.
 */
import { countsFor, targetDone, type ProgressState, type TargetCounts } from './progress-state.js';
import { formatDuration, padEnd, type Style } from './style.js';

const BAR_WIDTH = 16;

/** A text progress bar: `[######----------]`. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? 0 : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function countCells(counts: TargetCounts, style: Style): string {
  const cell = (n: number, label: string, colour: (s: string) => string) =>
    n > 0 ? colour(`${n} ${label}`) : style.dim(`${n} ${label}`);
  const cells = [
    cell(counts.resolved, 'resolved', (s) => s),
    cell(counts.cached, 'cached', style.cyan),
    cell(counts.mirrored, 'mirrored', style.cyan),
    cell(counts.building, 'building', style.yellow),
    cell(counts.built, 'built', style.green),
    cell(counts.failed, 'failed', style.red),
  ];
  // Rarer states only take room when they happen.
  if (counts.queued > 0) cells.splice(3, 0, `${counts.queued} queued`);
  if (counts.skipped > 0) cells.push(style.dim(`${counts.skipped} skipped`));
  if (counts.shared > 0) cells.push(style.magenta(`${counts.shared} shared`));
  return cells.join(style.dim(' · '));
}

/** Renders the progress block at time `now` (ms since epoch). */
export function renderProgress(state: ProgressState, now: number, style: Style): string[] {
  const elapsed = formatDuration(Math.max(0, now - state.startedAt));
  const lines = [`${style.bold('farm build')} ${state.requestId}  ${stateLabel(state, style)}  ${style.dim(elapsed)}`];
  const idWidth = Math.max(...state.targets.map((t) => t.length), 6);
  for (const target of state.targets) {
    const counts = countsFor(state, target);
    const done = targetDone(state, target);
    const until = done ? (state.lastChangeAt.get(target) ?? now) : now;
    const targetElapsed = formatDuration(Math.max(0, until - state.startedAt));
    const mark = done ? (counts.failed > 0 ? style.red('✗') : style.green('✓')) : style.yellow('•');
    const body =
      counts.resolved === 0
        ? style.dim(state.finished ? 'nothing resolved' : 'resolving…')
        : `${progressBar(counts.done, counts.resolved)} ${countCells(counts, style)}`;
    lines.push(`  ${mark} ${padEnd(target, idWidth)}  ${body}  ${style.dim(targetElapsed)}`);
  }
  return lines;
}

function stateLabel(state: ProgressState, style: Style): string {
  switch (state.requestState) {
    case 'done':
      return style.green('done');
    case 'failed':
    case 'cancelled':
      return style.red(state.requestState);
    default:
      return style.yellow(`${state.requestState}…`);
  }
}
