/**
 * The state `farm build` follows, folded from the engine's request events.
 * Pure: the renderers read it, the terminal writer redraws it.
 */
import {
  FINAL_ROW_STATES,
  rowKey,
  type PackageRow,
  type RequestEvent,
  type RequestState,
} from '../../pipeline/contract/request-types.js';

/** What `farm build` knows about a request while following it. */
export interface ProgressState {
  readonly requestId: string;
  readonly requestState: RequestState;
  /** Milliseconds since the epoch at which following started. */
  readonly startedAt: number;
  /** Targets in the order the user gave them. */
  readonly targets: readonly string[];
  /** Rows by `rowKey`, in first-seen order. */
  readonly rows: ReadonlyMap<string, PackageRow>;
  /** Time of the last event that touched each target (ms since epoch). */
  readonly lastChangeAt: ReadonlyMap<string, number>;
  readonly finished: boolean;
}

/** The state before any event. */
export function initialProgress(requestId: string, targets: readonly string[], startedAt: number): ProgressState {
  return {
    requestId,
    requestState: 'queued',
    startedAt,
    targets,
    rows: new Map(),
    lastChangeAt: new Map(),
    finished: false,
  };
}

/** Folds one event into the state; returns a new state. Events of other requests are ignored. */
export function applyEvent(state: ProgressState, event: RequestEvent): ProgressState {
  if (event.requestId !== state.requestId) return state;
  switch (event.type) {
    case 'state':
      return { ...state, requestState: event.state };
    case 'finished':
      return { ...state, requestState: event.state, finished: true };
    case 'message':
      return state;
    case 'row': {
      const rows = new Map(state.rows);
      rows.set(rowKey(event.row), event.row);
      const lastChangeAt = new Map(state.lastChangeAt);
      lastChangeAt.set(event.row.target, Date.parse(event.at));
      const targets = state.targets.includes(event.row.target) ? state.targets : [...state.targets, event.row.target];
      return { ...state, rows, lastChangeAt, targets };
    }
  }
}

/** Counts shown per target. `resolved` is every row the resolver pinned. */
export interface TargetCounts {
  resolved: number;
  cached: number;
  mirrored: number;
  queued: number;
  building: number;
  built: number;
  failed: number;
  skipped: number;
  shared: number;
  /** Rows in a final state. */
  done: number;
  /** Rows that are there only because other packages' builds need them. */
  buildDeps: number;
}

/** Row counts of one target. */
export function countsFor(state: ProgressState, target: string): TargetCounts {
  const counts: TargetCounts = {
    resolved: 0, cached: 0, mirrored: 0, queued: 0, building: 0, built: 0, failed: 0, skipped: 0, shared: 0, done: 0, buildDeps: 0,
  };
  for (const row of state.rows.values()) {
    if (row.target !== target) continue;
    counts.resolved += 1;
    if (row.state !== 'resolved') counts[row.state] += 1;
    if (FINAL_ROW_STATES.has(row.state)) counts.done += 1;
    if (row.buildDependency === true) counts.buildDeps += 1;
  }
  return counts;
}

/**
 * Whether a target has nothing left to do: the request is past planning and
 * every row of the target is final (a shared row is final once its owner is).
 */
export function targetDone(state: ProgressState, target: string): boolean {
  if (state.finished) return true;
  if (state.requestState === 'queued' || state.requestState === 'resolving' || state.requestState === 'planning') {
    return false;
  }
  const counts = countsFor(state, target);
  return counts.resolved > 0 && counts.done === counts.resolved;
}
