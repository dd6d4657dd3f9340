/**
 * The request job's steps, by table: what runs from each saved step, with
 * cancellations and failures, and a request whose worker died in every step
 * (the rerun resumes at the saved step, and the status lifecycle accepts it).
 */
import { describe, expect, it } from 'vitest';
import type { RequestStep } from '../../../../src/pipeline/contract/job-data.js';
import { transition, type StatusEvent } from '../../../../src/pipeline/contract/request-lifecycle.js';
import type { RequestState, RequestStatus } from '../../../../src/pipeline/contract/request-types.js';
import { advanceSteps, type StepsAction, type StepsState, type WorkStep } from '../../../../src/pipeline/request-job/request-steps.js';

interface World {
  cancelled?: boolean;
  /** `plan` finds nothing resolved. */
  planFails?: boolean;
  /** The build step sees the request cancelled. */
  buildCancelled?: boolean;
}

/** Runs the reducer like the request processor does; returns what it did, as text. */
function run(step: RequestStep, world: World = {}, ended = false): string[] {
  const done: string[] = [];
  const start = advanceSteps(undefined, { type: 'started', step, ended });
  let state = start.state;
  const todo = [...start.actions];
  for (let action = todo.shift(); action !== undefined; action = todo.shift()) {
    done.push(describeAction(action));
    if (action.type === 'stop') break;
    let next: ReturnType<typeof advanceSteps> | undefined;
    if (action.type === 'check-cancelled') next = advanceSteps(state, { type: 'cancel-checked', cancelled: world.cancelled === true });
    if (action.type === 'run') {
      const outcome =
        action.step === 'plan' && world.planFails ? 'failed' : action.step === 'build' && world.buildCancelled ? 'cancelled' : 'ok';
      next = advanceSteps(state, { type: 'ran', step: action.step, outcome, ...(outcome === 'failed' ? { error: 'no target could be resolved' } : {}) });
    }
    if (next !== undefined) {
      state = next.state;
      todo.unshift(...next.actions);
    }
  }
  return done;
}

function describeAction(a: StepsAction): string {
  switch (a.type) {
    case 'run':
      return a.step;
    case 'save-step':
      return `save ${a.step}`;
    case 'finish':
      return `finish ${a.state}${a.error ? ` (${a.error})` : ''}`;
    default:
      return a.type;
  }
}

describe('request steps', () => {
  it.each<{ from: RequestStep; world?: World; ended?: boolean; expected: string[] }>([
    {
      from: 'resolve',
      expected: ['check-cancelled', 'resolve', 'save plan', 'check-cancelled', 'plan', 'save build', 'build', 'save index', 'index', 'save done', 'finish done', 'stop'],
    },
    { from: 'plan', expected: ['check-cancelled', 'plan', 'save build', 'build', 'save index', 'index', 'save done', 'finish done', 'stop'] },
    { from: 'build', expected: ['build', 'save index', 'index', 'save done', 'finish done', 'stop'] },
    { from: 'index', expected: ['index', 'save done', 'finish done', 'stop'] },
    { from: 'done', expected: ['finish done', 'stop'] },
    { from: 'resolve', ended: true, expected: ['stop'] },
    { from: 'build', ended: true, expected: ['stop'] },
    { from: 'resolve', world: { cancelled: true }, expected: ['check-cancelled', 'finish cancelled', 'stop'] },
    { from: 'plan', world: { cancelled: true }, expected: ['check-cancelled', 'finish cancelled', 'stop'] },
    { from: 'plan', world: { planFails: true }, expected: ['check-cancelled', 'plan', 'finish failed (no target could be resolved)', 'stop'] },
    { from: 'build', world: { buildCancelled: true }, expected: ['build', 'finish cancelled', 'stop'] },
  ])('from $from $world', ({ from, world, ended, expected }) => {
    expect(run(from, world, ended)).toEqual(expected);
  });

  it('refuses observations out of order', () => {
    const { state } = advanceSteps(undefined, { type: 'started', step: 'build', ended: false });
    expect(() => advanceSteps(state, { type: 'ran', step: 'plan', outcome: 'ok' })).toThrow(TypeError);
    const ended: StepsState = { step: 'index', ended: true };
    expect(() => advanceSteps(ended, { type: 'ran', step: 'index', outcome: 'ok' })).toThrow(TypeError);
  });
});

describe('a request whose worker died in every step', () => {
  /** The status events each step's work applies (see request-processor.ts), and at the end the finish. */
  const EFFECTS: Record<WorkStep, StatusEvent[]> = {
    resolve: [{ type: 'state', state: 'resolving' }, { type: 'resolved', resolveLogs: { 'glibc-x86_64/3.11': '/l' }, errors: [] }],
    plan: [{ type: 'state', state: 'planning' }, { type: 'planned', rows: [], messages: [] }],
    build: [{ type: 'state', state: 'building' }],
    index: [{ type: 'state', state: 'indexing' }, { type: 'indexed', repository: 'glibc' }],
  };

  /** Runs from `step` until `dieAt` (the worker dies midway through its effects), applying status events. */
  function runWithStatus(status: RequestStatus, step: RequestStep, dieAt?: { step: WorkStep; after: number }): { status: RequestStatus; saved: RequestStep; died: boolean } {
    let saved = step;
    let current = status;
    const apply = (event: StatusEvent) => {
      const result = transition(current, event, '2026-01-01T00:00:02.000Z');
      if (!result.ok) throw new Error(result.reason);
      current = result.status;
    };
    const start = advanceSteps(undefined, { type: 'started', step, ended: ['done', 'failed', 'cancelled'].includes(current.state) });
    let state = start.state;
    const todo = [...start.actions];
    for (let action = todo.shift(); action !== undefined && action.type !== 'stop'; action = todo.shift()) {
      let next: ReturnType<typeof advanceSteps> | undefined;
      if (action.type === 'check-cancelled') next = advanceSteps(state, { type: 'cancel-checked', cancelled: false });
      if (action.type === 'save-step') saved = action.step;
      if (action.type === 'finish') apply({ type: 'finished', state: action.state });
      if (action.type === 'run') {
        const effects = EFFECTS[action.step];
        for (let i = 0; i < effects.length; i++) {
          if (dieAt?.step === action.step && dieAt.after === i) return { status: current, saved, died: true };
          apply(effects[i]!);
        }
        if (dieAt?.step === action.step && dieAt.after === effects.length) return { status: current, saved, died: true };
        next = advanceSteps(state, { type: 'ran', step: action.step, outcome: 'ok' });
      }
      if (next !== undefined) {
        state = next.state;
        todo.unshift(...next.actions);
      }
    }
    return { status: current, saved, died: false };
  }

  const queued: RequestStatus = {
    id: 'req-1',
    state: 'queued' as RequestState,
    origin: 'cli',
    metadata: {},
    targets: ['glibc-x86_64'],
    python: ['3.11'],
    indexUrl: 'http://u/simple/',
    requirementFiles: ['r.txt'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    rows: [],
    indexedRepositories: [],
    resolveLogs: {},
  };

  const crashes: { step: WorkStep; after: number }[] = [];
  for (const step of ['resolve', 'plan', 'build', 'index'] as const) {
    for (let after = 0; after <= EFFECTS[step].length; after++) crashes.push({ step, after });
  }
  it.each(crashes)('dies in $step after $after of its status changes: the rerun resumes and the request ends done', (crash) => {
    const first = runWithStatus(queued, 'resolve', crash);
    expect(first.died).toBe(true);
    expect(first.saved).toBe(crash.step);
    // The stalled job runs again on another worker, from the step saved in its data.
    const rerun = runWithStatus(first.status, first.saved);
    expect(rerun.died).toBe(false);
    expect(rerun.status.state).toBe('done');
    expect(rerun.status.indexedRepositories).toEqual(['glibc']);
  });
});
