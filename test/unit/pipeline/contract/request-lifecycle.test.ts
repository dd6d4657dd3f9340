/** The request status transitions, by table: no Redis. */
import { describe, expect, it } from 'vitest';
import { canTransition, transition, type StatusEvent } from '../../../../src/pipeline/contract/request-lifecycle.js';
import type { PackageRow, RequestState, RequestStatus } from '../../../../src/pipeline/contract/request-types.js';

const AT = '2026-01-01T00:00:01.000Z';

function status(state: RequestState, rows: PackageRow[] = [], extra: Partial<RequestStatus> = {}): RequestStatus {
  return {
    id: 'req-1',
    state,
    origin: 'cli',
    metadata: {},
    targets: ['glibc-x86_64'],
    python: ['3.11'],
    indexUrl: 'http://u/simple/',
    requirementFiles: ['requirements.txt'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    rows,
    indexedRepositories: [],
    resolveLogs: {},
    ...extra,
  };
}

const row = (name: string, state: PackageRow['state'], extra: Partial<PackageRow> = {}): PackageRow => ({
  name,
  version: '1.0',
  target: 'glibc-x86_64',
  python: '3.11',
  state,
  ...extra,
});

const STATES: RequestState[] = ['queued', 'resolving', 'planning', 'building', 'indexing', 'done', 'failed', 'cancelled'];

describe('request lifecycle: which state may follow which', () => {
  const allowed: Record<RequestState, RequestState[]> = {
    queued: ['resolving', 'failed', 'cancelled'],
    resolving: ['resolving', 'planning', 'failed', 'cancelled'],
    planning: ['planning', 'building', 'failed', 'cancelled'],
    building: ['building', 'indexing', 'done', 'failed', 'cancelled'],
    indexing: ['indexing', 'done', 'failed', 'cancelled'],
    done: [],
    failed: [],
    cancelled: [],
  };
  for (const from of STATES) {
    it(`${from} → ${allowed[from].join(', ') || 'nothing'}`, () => {
      expect(STATES.filter((to) => canTransition(from, to))).toEqual(allowed[from]);
    });
  }
});

describe('request lifecycle: transition', () => {
  it.each<{ name: string; from: RequestStatus; event: StatusEvent; ok: boolean; state?: RequestState; events?: unknown[] }>([
    { name: 'queued → resolving', from: status('queued'), event: { type: 'state', state: 'resolving' }, ok: true, state: 'resolving', events: [{ type: 'state', state: 'resolving' }] },
    { name: 'a rerun repeats its state', from: status('building'), event: { type: 'state', state: 'building' }, ok: true, state: 'building' },
    { name: 'no step backwards', from: status('building'), event: { type: 'state', state: 'planning' }, ok: false },
    { name: 'no skipping the plan', from: status('resolving'), event: { type: 'state', state: 'building' }, ok: false },
    { name: 'a cancelled request stays cancelled', from: status('cancelled'), event: { type: 'state', state: 'resolving' }, ok: false },
    { name: 'a done request takes no rows', from: status('done', [row('a', 'built')]), event: { type: 'rows', rows: [row('a', 'failed')] }, ok: false },
    { name: 'a finished request does not finish again', from: status('failed'), event: { type: 'finished', state: 'cancelled' }, ok: false },
    { name: 'nothing to index: building → done', from: status('building'), event: { type: 'finished', state: 'done' }, ok: true, state: 'done' },
    { name: 'queued → cancelled (cancelled before a worker took it)', from: status('queued'), event: { type: 'finished', state: 'cancelled' }, ok: true, state: 'cancelled', events: [{ type: 'state', state: 'cancelled' }, { type: 'finished', state: 'cancelled', counts: {} }] },
    { name: 'queued → done is not a thing', from: status('queued'), event: { type: 'finished', state: 'done' }, ok: false },
  ])('$name', ({ from, event, ok, state, events }) => {
    const result = transition(from, event, AT);
    expect(result.ok).toBe(ok);
    if (result.ok) {
      expect(result.status.state).toBe(state);
      expect(result.status.updatedAt).toBe(AT);
      if (events !== undefined) expect(result.events).toEqual(events);
    } else {
      expect(result.reason).toContain(`request req-1 is ${from.state}`);
    }
  });

  it('does not modify the status it is given', () => {
    const before = status('building', [row('a', 'queued', { jobId: 'j' })]);
    const copy = structuredClone(before);
    transition(before, { type: 'finished', state: 'cancelled' }, AT);
    transition(before, { type: 'rows', rows: [row('a', 'built', { jobId: 'j' })] }, AT);
    expect(before).toEqual(copy);
  });

  it('cancelling marks the rows that had not ended skipped, and counts them', () => {
    const rows = [row('a', 'built'), row('b', 'queued'), row('c', 'building'), row('d', 'shared'), row('e', 'shared', { wheel: 'e.whl' }), row('f', 'resolved'), row('g', 'failed')];
    const result = transition(status('building', rows), { type: 'finished', state: 'cancelled' }, AT);
    if (!result.ok) throw new Error(result.reason);
    expect(result.status.rows.map((r) => `${r.name}:${r.state}${r.reason ? `(${r.reason})` : ''}`)).toEqual([
      'a:built', 'b:skipped(cancelled)', 'c:skipped(cancelled)', 'd:skipped(cancelled)', 'e:shared', 'f:skipped(cancelled)', 'g:failed',
    ]);
    expect(result.status.finishedAt).toBe(AT);
    expect(result.events).toEqual([
      { type: 'state', state: 'cancelled' },
      { type: 'finished', state: 'cancelled', counts: { built: 1, skipped: 4, shared: 1, failed: 1 } },
    ]);
  });

  it('a failure appends its error to the errors so far', () => {
    const result = transition(status('planning', [], { error: 'resolution failed on glibc-x86_64 py3.11: …' }), { type: 'finished', state: 'failed', error: 'no target could be resolved' }, AT);
    expect(result.ok && result.status.error).toBe('resolution failed on glibc-x86_64 py3.11: …\nno target could be resolved');
  });

  it('resolutions: logs recorded, each failure an error message', () => {
    const result = transition(status('resolving'), { type: 'resolved', resolveLogs: { 'glibc-x86_64/3.11': '/l/r.log' }, errors: ['e1', 'e2'] }, AT);
    if (!result.ok) throw new Error(result.reason);
    expect(result.status.resolveLogs).toEqual({ 'glibc-x86_64/3.11': '/l/r.log' });
    expect(result.status.error).toBe('e1\ne2');
    expect(result.events).toEqual([
      { type: 'message', level: 'error', text: 'e1' },
      { type: 'message', level: 'error', text: 'e2' },
    ]);
  });

  it('a plan replaces the rows: its messages first, then one event per row', () => {
    const rows = [row('a', 'resolved', { jobId: 'j' }), row('b', 'cached')];
    const result = transition(status('planning'), { type: 'planned', rows, messages: [{ level: 'info', text: 'plan: 1 build' }] }, AT);
    if (!result.ok) throw new Error(result.reason);
    expect(result.status.rows).toEqual(rows);
    expect(result.events.map((e) => e.type)).toEqual(['message', 'row', 'row']);
  });

  it('row updates replace rows by name, target and Python; an unknown row is refused', () => {
    const from = status('building', [row('a', 'queued'), row('b', 'queued')]);
    const result = transition(from, { type: 'rows', rows: [row('b', 'built', { wheel: 'b.whl' })] }, AT);
    if (!result.ok) throw new Error(result.reason);
    expect(result.status.rows.map((r) => r.state)).toEqual(['queued', 'built']);
    expect(result.events).toEqual([{ type: 'row', row: row('b', 'built', { wheel: 'b.whl' }) }]);
    expect(transition(from, { type: 'rows', rows: [row('zzz', 'built')] }, AT).ok).toBe(false);
  });

  it('an index regeneration is recorded once per repository', () => {
    const once = transition(status('indexing'), { type: 'indexed', repository: 'glibc' }, AT);
    if (!once.ok) throw new Error(once.reason);
    const twice = transition(once.status, { type: 'indexed', repository: 'glibc' }, AT);
    expect(twice.ok && twice.status.indexedRepositories).toEqual(['glibc']);
    expect(once.events).toEqual([{ type: 'message', level: 'info', text: 'index of glibc regenerated' }]);
  });
});
