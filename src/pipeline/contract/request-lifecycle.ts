/**
 * How a request's status changes: one pure `transition(status, event)` for
 * every change, applied by `RequestStore.apply` (which writes the status and
 * appends the events in one MULTI). The request job, the engine's `cancel`
 * and the out-of-attempts handler all describe what happened as a
 * `StatusEvent`; this module decides what the status becomes and which
 * `RequestEvent`s watchers get.
 *
 * Lifecycle: `queued` → `resolving` → `planning` → `building` → `indexing` →
 * `done`; any state that is not final may end `failed` or `cancelled`, and
 * `building` may end `done` directly (nothing to index). A rerun of the
 * request job after a crash repeats the state it was in, so a state may
 * follow itself. Final states never change.
 */
import {
  countRows,
  FINAL_REQUEST_STATES,
  rowKey,
  type EventBody,
  type PackageRow,
  type RequestState,
  type RequestStatus,
} from './request-types.js';

/** A message for watchers (`farm build` prints them). */
export interface StatusMessage {
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
}

/** The states the request job steps through (the final ones come with `finished`). */
export type WorkingState = 'resolving' | 'planning' | 'building' | 'indexing';

/** Something that happened to a request. */
export type StatusEvent =
  /** The request job entered a step. */
  | { readonly type: 'state'; readonly state: WorkingState }
  /** Resolutions were read: their logs by `target/python`, and what failed. */
  | { readonly type: 'resolved'; readonly resolveLogs: Readonly<Record<string, string>>; readonly errors: readonly string[] }
  /** The plan's rows replace the status's rows. */
  | { readonly type: 'planned'; readonly rows: readonly PackageRow[]; readonly messages: readonly StatusMessage[] }
  /** Rows changed (matched by name, target and Python). */
  | { readonly type: 'rows'; readonly rows: readonly PackageRow[] }
  /** A repository's index was regenerated. */
  | { readonly type: 'indexed'; readonly repository: string }
  /** The request ended. Cancelling marks the rows that had not ended as skipped. */
  | { readonly type: 'finished'; readonly state: 'done' | 'failed' | 'cancelled'; readonly error?: string };

/** The outcome of `transition`. */
export type Transition =
  | { readonly ok: true; readonly status: RequestStatus; readonly events: readonly EventBody[] }
  | { readonly ok: false; readonly reason: string };

const NEXT: Readonly<Record<RequestState, readonly RequestState[]>> = {
  queued: ['resolving', 'failed', 'cancelled'],
  resolving: ['resolving', 'planning', 'failed', 'cancelled'],
  planning: ['planning', 'building', 'failed', 'cancelled'],
  building: ['building', 'indexing', 'done', 'failed', 'cancelled'],
  indexing: ['indexing', 'done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

/** Whether the lifecycle allows `from` → `to`. */
export function canTransition(from: RequestState, to: RequestState): boolean {
  return NEXT[from].includes(to);
}

/** Rows that have not ended: a cancelled request reports them skipped. */
function unfinished(row: PackageRow): boolean {
  return row.state === 'resolved' || row.state === 'queued' || row.state === 'building' || (row.state === 'shared' && row.wheel === undefined);
}

const appendError = (previous: string | undefined, text: string): string => (previous === undefined ? text : `${previous}\n${text}`);

/**
 * The status after `event` at time `at` (ISO), and the events that describe
 * the change; `ok: false` when the lifecycle does not allow it (the request
 * already ended, or a state out of order). Pure: `status` is not modified.
 */
export function transition(status: RequestStatus, event: StatusEvent, at: string): Transition {
  const refuse = (reason: string): Transition => ({ ok: false, reason: `request ${status.id} is ${status.state}: ${reason}` });
  const working = !FINAL_REQUEST_STATES.has(status.state);
  const next = { ...status, updatedAt: at };
  switch (event.type) {
    case 'state':
      if (!canTransition(status.state, event.state)) return refuse(`it cannot become ${event.state}`);
      return { ok: true, status: { ...next, state: event.state }, events: [{ type: 'state', state: event.state }] };
    case 'resolved': {
      if (!working) return refuse('resolutions come too late');
      let error = status.error;
      for (const text of event.errors) error = appendError(error, text);
      return {
        ok: true,
        status: { ...next, resolveLogs: { ...status.resolveLogs, ...event.resolveLogs }, ...(error === undefined ? {} : { error }) },
        events: event.errors.map((text) => ({ type: 'message', level: 'error', text })),
      };
    }
    case 'planned':
      if (!working) return refuse('a plan comes too late');
      return {
        ok: true,
        status: { ...next, rows: event.rows.map((row) => ({ ...row })) },
        events: [
          ...event.messages.map((m): EventBody => ({ type: 'message', level: m.level, text: m.text })),
          ...event.rows.map((row): EventBody => ({ type: 'row', row: { ...row } })),
        ],
      };
    case 'rows': {
      if (!working) return refuse('its rows no longer change');
      const changed = new Map(event.rows.map((row) => [rowKey(row), row]));
      const unknown = [...changed.keys()].filter((key) => !status.rows.some((row) => rowKey(row) === key));
      if (unknown.length > 0) return refuse(`it has no row ${unknown.join(', ')}`);
      return {
        ok: true,
        status: { ...next, rows: status.rows.map((row) => ({ ...(changed.get(rowKey(row)) ?? row) })) },
        events: event.rows.map((row): EventBody => ({ type: 'row', row: { ...row } })),
      };
    }
    case 'indexed':
      if (!working) return refuse('its index comes too late');
      return {
        ok: true,
        status: { ...next, indexedRepositories: [...new Set([...status.indexedRepositories, event.repository])] },
        events: [{ type: 'message', level: 'info', text: `index of ${event.repository} regenerated` }],
      };
    case 'finished': {
      if (!canTransition(status.state, event.state)) return refuse(`it cannot end ${event.state}`);
      const rows =
        event.state === 'cancelled'
          ? status.rows.map((row) => (unfinished(row) ? { ...row, state: 'skipped' as const, reason: 'cancelled' } : row))
          : status.rows;
      const error = event.error === undefined ? status.error : appendError(status.error, event.error);
      const finished: RequestStatus = { ...next, state: event.state, finishedAt: at, rows, ...(error === undefined ? {} : { error }) };
      return {
        ok: true,
        status: finished,
        events: [
          { type: 'state', state: event.state },
          { type: 'finished', state: event.state, counts: countRows(rows) },
        ],
      };
    }
  }
}
