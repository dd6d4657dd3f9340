/**
 * The live progress block of `farm build` on a terminal: a header line and
 * one line per target with its counts and elapsed time, each fitting the
 * terminal's width (a line that wrapped would take two rows and change under
 * the next redraw). Pure (state, clock and width in, lines out);
 * `terminal/live-block.ts` redraws it in place.
 */
import cliTruncate from 'cli-truncate';
import { countsFor, targetDone, type ProgressState, type TargetCounts } from './progress-state.js';
import { formatDuration, padEnd, visibleWidth, type Style } from './style.js';

const BAR_WIDTH = 16;
/** The bar of the compact line, for terminals too narrow for the full one. */
const COMPACT_BAR_WIDTH = 8;

/** A text progress bar: `[######----------]`. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? 0 : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function countCells(counts: TargetCounts, style: Style, compact: boolean): string {
  const cell = (n: number, label: string, colour: (s: string) => string) =>
    n > 0 ? colour(`${n} ${label}`) : style.dim(`${n} ${label}`);
  if (compact) {
    // Only what is happening: the total, then every non-zero state.
    const cells = [`${counts.resolved} resolved`];
    const nonZero: [number, string, (s: string) => string][] = [
      [counts.cached, 'cached', style.cyan],
      [counts.mirrored, 'mirrored', style.cyan],
      [counts.queued, 'queued', (s) => s],
      [counts.building, 'building', style.yellow],
      [counts.built, 'built', style.green],
      [counts.failed, 'failed', style.red],
      [counts.skipped, 'skipped', style.dim],
      [counts.shared, 'shared', style.magenta],
    ];
    for (const [n, label, colour] of nonZero) if (n > 0) cells.push(colour(`${n} ${label}`));
    return cells.join(style.dim(' · '));
  }
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
  if (counts.buildDeps > 0) cells.push(style.dim(`(${counts.buildDeps} build deps)`));
  return cells.join(style.dim(' · '));
}

/**
 * Renders the progress block at time `now` (ms since epoch) for a terminal
 * `columns` wide. A target line too wide for it drops its zero counts and
 * shortens its bar; what still does not fit is cut with an ellipsis.
 */
export function renderProgress(state: ProgressState, now: number, style: Style, columns = Number.POSITIVE_INFINITY): string[] {
  const fit = (line: string) => (visibleWidth(line) <= columns ? line : cliTruncate(line, Math.max(1, columns)));
  const elapsed = formatDuration(Math.max(0, now - state.startedAt));
  const lines = [fit(`${style.bold('farm build')} ${state.requestId}  ${stateLabel(state, style)}  ${style.dim(elapsed)}`)];
  const idWidth = Math.max(...state.targets.map((t) => t.length), 6);
  for (const target of state.targets) {
    const counts = countsFor(state, target);
    const done = targetDone(state, target);
    const until = done ? (state.lastChangeAt.get(target) ?? now) : now;
    const targetElapsed = formatDuration(Math.max(0, until - state.startedAt));
    const mark = done ? (counts.failed > 0 ? style.red('✗') : style.green('✓')) : style.yellow('•');
    const line = (compact: boolean) => {
      const body =
        counts.resolved === 0
          ? style.dim(state.finished ? 'nothing resolved' : 'resolving…')
          : `${progressBar(counts.done, counts.resolved, compact ? COMPACT_BAR_WIDTH : BAR_WIDTH)} ${countCells(counts, style, compact)}`;
      return `  ${mark} ${padEnd(target, idWidth)}  ${body}  ${style.dim(targetElapsed)}`;
    };
    const full = line(false);
    lines.push(visibleWidth(full) <= columns ? full : fit(line(true)));
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
