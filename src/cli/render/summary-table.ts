/**
 * The table `farm build` ends with: every package × target (× Python) of the
 * request and what became of it, like cibuildwheel's closing summary.
 */
import { countRows, type PackageRow, type RequestStatus, type RowState } from '../../pipeline/contract/request-types.js';
import { formatDuration, type Style } from './style.js';
import { renderTable } from './table.js';

const RESULT_ORDER: readonly RowState[] = ['failed', 'built', 'mirrored', 'cached', 'shared', 'skipped', 'building', 'queued', 'resolved'];

/** The detail column: duration for builds, log path for failures, reason for skips. */
export function rowDetail(row: PackageRow): string {
  switch (row.state) {
    case 'built':
      return [row.durationMs === undefined ? undefined : formatDuration(row.durationMs), row.wheel]
        .filter((s) => s !== undefined)
        .join('  ');
    case 'failed':
      // A failure decided before any build ran (its build requirements) has no log: say why.
      return row.logPath ?? (row.error ?? '').split('\n')[0] ?? '';
    case 'skipped':
    case 'shared':
      return row.reason ?? '';
    case 'cached':
    case 'mirrored':
      return row.wheel ?? '';
    default:
      return '';
  }
}

function colourResult(state: RowState, style: Style): string {
  switch (state) {
    case 'failed':
      return style.red(state);
    case 'built':
      return style.green(state);
    case 'cached':
    case 'mirrored':
      return style.cyan(state);
    case 'skipped':
      return style.dim(state);
    default:
      return style.yellow(state);
  }
}

/**
 * Renders the summary: the table, sorted by package then by the request's
 * target order, a totals line, and for failures the command that shows the
 * log. The Python column appears only when the request has several.
 */
export function renderSummary(status: RequestStatus, style: Style): string[] {
  if (status.rows.length === 0) {
    return [style.dim(`request ${status.id}: no packages${status.error === undefined ? '' : ` (${status.error})`}`)];
  }
  const targetOrder = (t: string) => {
    const i = status.targets.indexOf(t);
    return i < 0 ? status.targets.length : i;
  };
  const rows = [...status.rows].sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      targetOrder(a.target) - targetOrder(b.target) ||
      a.python.localeCompare(b.python, undefined, { numeric: true }),
  );
  const multiPython = new Set(rows.map((r) => r.python)).size > 1;
  const headers = ['package', 'version', 'target', ...(multiPython ? ['python'] : []), 'result', 'detail'];
  const cells = rows.map((r) => [
    // Build dependencies: in the request because other packages' builds need them.
    r.buildDependency === true ? `${r.name} ${style.dim('(build dep)')}` : r.name,
    r.version,
    r.target,
    ...(multiPython ? [r.python] : []),
    colourResult(r.state, style),
    rowDetail(r),
  ]);
  const lines = renderTable(headers, cells, style);
  const counts = countRows(status.rows);
  const totals = RESULT_ORDER.filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
  const buildDeps = status.rows.filter((r) => r.buildDependency === true).length;
  lines.push('', `${status.rows.length} package × target rows: ${totals}${buildDeps > 0 ? ` (${buildDeps} of them build dependencies)` : ''}`);
  const failed = rows.filter((r) => r.state === 'failed');
  if (failed.length > 0) {
    const first = failed[0]!;
    lines.push(
      style.red(`error: ${failed.length} build${failed.length > 1 ? 's' : ''} failed`),
      `hint: see a log with: farm logs ${status.id} ${first.name} --target ${first.target}`,
    );
  }
  if (status.error !== undefined) lines.push(style.red(`error: ${status.error}`));
  return lines;
}
