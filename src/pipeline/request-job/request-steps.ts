/**
 * The request job's steps, as a pure reducer: `resolve` → `plan` → `build`
 * → `index` → `done`. The step reached is saved in the job's data before the
 * next one starts, so a rerun after a crash (a worker killed, its job
 * stalled and taken by another worker) resumes at that step; this module
 * decides what happens from any of them. The request processor
 * (request-processor.ts) runs the steps and feeds back how they went.
 */
import type { RequestStep } from '../contract/job-data.js';

/** The steps that do work. */
export type WorkStep = Exclude<RequestStep, 'done'>;

export type StepsObservation =
  /** The job (re)started at `step`; `ended` when its request already ended (nothing to do). */
  | { readonly type: 'started'; readonly step: RequestStep; readonly ended: boolean }
  | { readonly type: 'cancel-checked'; readonly cancelled: boolean }
  /** A step ran: `failed` only for `plan` (nothing resolved), `cancelled` only for `build`. */
  | { readonly type: 'ran'; readonly step: WorkStep; readonly outcome: 'ok' | 'failed' | 'cancelled'; readonly error?: string };

export type StepsAction =
  | { readonly type: 'check-cancelled' }
  | { readonly type: 'run'; readonly step: WorkStep }
  /** Save the step reached in the job's data (a rerun resumes there). */
  | { readonly type: 'save-step'; readonly step: RequestStep }
  | { readonly type: 'finish'; readonly state: 'done' | 'failed' | 'cancelled'; readonly error?: string }
  /** Nothing more to do. */
  | { readonly type: 'stop' };

export interface StepsState {
  readonly step: RequestStep;
  readonly ended: boolean;
}

/** Steps that first check for a cancellation: nothing of theirs runs for a cancelled request. */
const CHECKED: ReadonlySet<RequestStep> = new Set(['resolve', 'plan']);

const NEXT: Readonly<Record<WorkStep, RequestStep>> = { resolve: 'plan', plan: 'build', build: 'index', index: 'done' };

/** What to do at `step`. */
function enter(step: RequestStep): StepsAction[] {
  if (step === 'done') return [{ type: 'finish', state: 'done' }, { type: 'stop' }];
  return CHECKED.has(step) ? [{ type: 'check-cancelled' }] : [{ type: 'run', step }];
}

const end = (state: StepsState, action: StepsAction): { state: StepsState; actions: StepsAction[] } => ({
  state: { ...state, ended: true },
  actions: action.type === 'stop' ? [action] : [action, { type: 'stop' }],
});

/** The next state and actions. */
export function advanceSteps(state: StepsState | undefined, observation: StepsObservation): { state: StepsState; actions: StepsAction[] } {
  switch (observation.type) {
    case 'started': {
      const next = { step: observation.step, ended: observation.ended };
      return observation.ended ? { state: next, actions: [{ type: 'stop' }] } : { state: next, actions: enter(observation.step) };
    }
    case 'cancel-checked':
      if (state === undefined || state.ended || state.step === 'done') throw new TypeError(`request steps: unexpected ${observation.type}`);
      if (observation.cancelled) return end(state, { type: 'finish', state: 'cancelled' });
      return { state, actions: [{ type: 'run', step: state.step }] };
    case 'ran': {
      if (state === undefined || state.ended || state.step !== observation.step) throw new TypeError(`request steps: unexpected ran ${observation.step}`);
      if (observation.outcome === 'failed') {
        return end(state, { type: 'finish', state: 'failed', ...(observation.error !== undefined ? { error: observation.error } : {}) });
      }
      if (observation.outcome === 'cancelled') return end(state, { type: 'finish', state: 'cancelled' });
      const step = NEXT[observation.step];
      const actions = [{ type: 'save-step', step } as const, ...enter(step)];
      return { state: { step, ended: step === 'done' }, actions };
    }
  }
}
