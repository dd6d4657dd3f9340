/** `farm workers`: the workers the farm knows, as a table. Pure. */
import type { WorkerView } from '../../docker/worker-info.js';
import { formatDuration, type Style } from './style.js';
import { renderTable } from './table.js';

/** `up` (heartbeat fresh), `stopped` (shut down cleanly), `gone` (heartbeat lapsed: its jobs are recovered as stalled). */
export type WorkerState = 'up' | 'stopped' | 'gone';

export function workerState(view: WorkerView): WorkerState {
  if (view.alive) return 'up';
  return view.info?.stoppedAt !== undefined ? 'stopped' : 'gone';
}

/** One row per worker, most recently seen first as given. `now` is for the heartbeat's age. */
export function renderWorkerList(views: readonly WorkerView[], now: number, style: Style): string[] {
  if (views.length === 0) {
    return [style.dim('no workers have run on this Redis yet; start one with: farm worker (see deploy/README.md for remote ones)')];
  }
  const colour = (state: WorkerState) => (state === 'up' ? style.green(state) : state === 'gone' ? style.red(state) : style.dim(state));
  return renderTable(
    ['worker', 'host', 'kind', 'targets', 'jobs', 'last heartbeat', 'state'],
    views.map((view) => {
      const info = view.info;
      const targets = info === undefined ? '?' : info.targets.map((t) => `${t.id} (${t.mode})`).join(', ') || '-';
      const kind = info === undefined ? '?' : info.kind === 'remote' ? `remote (${info.token ?? '?'})` : 'local';
      return [
        view.id,
        info?.host ?? '?',
        kind + (info?.orchestrates === true ? ', requests' : ''),
        targets,
        info === undefined ? '?' : String(info.running.length),
        `${formatDuration(Math.max(0, now - view.lastSeen))} ago`,
        colour(workerState(view)),
      ];
    }),
    style,
  );
}
