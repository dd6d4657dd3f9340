/** `farm status` without an id: the recent requests as a table. Pure. */
import type { RequestStatus, RequestSummary, RowState } from '../../pipeline/contract/request-types.js';
import { formatDuration, type Style } from './style.js';
import { renderTable } from './table.js';

const COUNT_ORDER: readonly RowState[] = ['built', 'mirrored', 'cached', 'failed', 'skipped', 'shared', 'building', 'queued', 'resolved'];

function countsText(counts: RequestSummary['counts']): string {
  return COUNT_ORDER.filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/** Renders recent requests, newest first as given. `now` is for the age column. */
export function renderRequestList(requests: readonly RequestSummary[], now: number, style: Style): string[] {
  if (requests.length === 0) return [style.dim('no requests yet; start one with: farm build requirements.txt --targets glibc-x86_64')];
  return renderTable(
    ['request', 'state', 'origin', 'age', 'targets', 'packages'],
    requests.map((r) => [
      r.id,
      r.state === 'failed' || r.state === 'cancelled' ? style.red(r.state) : r.state === 'done' ? style.green(r.state) : style.yellow(r.state),
      r.origin,
      `${formatDuration(Math.max(0, now - Date.parse(r.createdAt)))} ago`,
      r.targets.join(','),
      countsText(r.counts),
    ]),
    style,
  );
}

/** Header lines of `farm status <id>`, above the summary table. */
export function renderRequestHeader(status: RequestStatus, style: Style): string[] {
  const took =
    status.finishedAt === undefined ? '' : ` in ${formatDuration(Date.parse(status.finishedAt) - Date.parse(status.createdAt))}`;
  const meta = Object.entries(status.metadata).map(([k, v]) => `${k}=${String(v)}`);
  return [
    `${style.bold('request')} ${status.id}  ${status.state}${took}`,
    `  origin        ${status.origin}${meta.length > 0 ? ` (${meta.join(', ')})` : ''}`,
    `  requirements  ${status.requirementFiles.join(', ')}`,
    `  targets       ${status.targets.join(', ')}   python ${status.python.join(', ')}`,
    `  index         ${status.indexUrl}`,
    `  created       ${status.createdAt}${status.finishedAt === undefined ? '' : `   finished ${status.finishedAt}`}`,
    '',
  ];
}
