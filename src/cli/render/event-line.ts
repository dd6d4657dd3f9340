/**
 * One plain line per engine event, for `farm build` without a terminal (CI
 * logs, pipes): nothing is redrawn, every line stands on its own.
 */
import { FINAL_REQUEST_STATES, type PackageRow, type RequestEvent } from '../../pipeline/contract/request-types.js';
import { formatDuration, type Style } from './style.js';

/** `name version`, plus the Python version when the request builds for several. */
export function rowLabel(row: PackageRow): string {
  return `${row.name} ${row.version} (${row.target}, py${row.python}${row.buildDependency === true ? ', build dependency' : ''})`;
}

/** What happened to a row, in words: `built in 12.3s`, `failed (log: …)`. */
export function rowOutcome(row: PackageRow): string {
  switch (row.state) {
    case 'built':
      return row.durationMs === undefined ? 'built' : `built in ${formatDuration(row.durationMs)}`;
    case 'failed':
      return row.logPath === undefined ? `failed: ${firstLine(row.error)}` : `failed (log: ${row.logPath})`;
    case 'skipped':
      return `skipped: ${row.reason ?? 'no reason given'}`;
    case 'shared':
      return `shared${row.reason === undefined ? '' : `: ${row.reason}`}`;
    case 'cached':
    case 'mirrored':
      return row.wheel === undefined ? row.state : `${row.state} (${row.wheel})`;
    default:
      return row.state;
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0] ?? '';
}

/**
 * Renders one event, prefixed with the time since the build started
 * (`startedAt`, ms since epoch), or `undefined` for events not worth a line.
 */
export function renderEventLine(event: RequestEvent, startedAt: number, style: Style): string | undefined {
  const at = `[${formatDuration(Math.max(0, Date.parse(event.at) - startedAt)).padStart(6)}]`;
  switch (event.type) {
    case 'state':
      // The final state arrives again, with counts, in the `finished` event.
      return FINAL_REQUEST_STATES.has(event.state) ? undefined : `${style.dim(at)} request ${event.requestId}: ${event.state}`;
    case 'message': {
      const label = event.level === 'info' ? '' : event.level === 'warn' ? style.yellow('warning: ') : style.red('error: ');
      return `${style.dim(at)} ${label}${event.text}`;
    }
    case 'row': {
      const outcome = rowOutcome(event.row);
      const coloured =
        event.row.state === 'failed' ? style.red(outcome) : event.row.state === 'built' ? style.green(outcome) : outcome;
      return `${style.dim(at)} ${rowLabel(event.row)}: ${coloured}`;
    }
    case 'finished': {
      const counts = Object.entries(event.counts)
        .filter(([, n]) => (n ?? 0) > 0)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ');
      return `${style.dim(at)} request ${event.requestId}: ${event.state}${counts === '' ? '' : ` (${counts})`}`;
    }
  }
}
