/**
 * The build scheduler, driven by tables without Redis or Docker: a scripted
 * world answers each action the reducer emits (queues that dedupe by job id,
 * task result records, probes of job states, cancellation), and the tests
 * check the rows it saves, the jobs it enqueues and how it ends.
 */
import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../../src/pipeline/contract/job-data.js';
import type { BuildPlan, BuildTask, MirrorTask } from '../../../../src/pipeline/contract/plan.js';
import type { PackageRow } from '../../../../src/pipeline/contract/request-types.js';
import {
  advance,
  startScheduler,
  type Action,
  type Observation,
  type SchedulerInput,
  type TaskProbe,
} from '../../../../src/pipeline/request-job/build-scheduler.js';

const REQ = 'req-1';
const PLANNED_AT = 1_000;

function build(id: string, overrides: Partial<BuildTask> = {}): BuildTask {
  const name = overrides.name ?? id;
  return {
    id,
    name,
    displayName: name,
    version: '1.0',
    target: 'glibc-x86_64',
    python: '3.11',
    repository: 'glibc',
    image: 'img@sha256:1',
    recipeHash: 'sha256:r',
    sdist: { url: `http://u/${name}-1.0.tar.gz`, filename: `${name}-1.0.tar.gz` },
    dependsOn: [],
    buildDeps: [],
    ...overrides,
  };
}

function mirror(id: string, name = id): MirrorTask {
  return { id, repository: 'glibc', name, version: '2.0', filename: `${name}-2.0-py3-none-any.whl`, url: `http://u/${name}.whl` };
}

function rowFor(task: BuildTask | MirrorTask, state: PackageRow['state'] = 'resolved', extra: Partial<PackageRow> = {}): PackageRow {
  const target = 'target' in task ? task.target : 'glibc-x86_64';
  const python = 'python' in task ? task.python : '3.11';
  return { name: task.name, version: task.version, target, python, repository: task.repository, state, jobId: task.id, ...extra };
}

function result(taskId: string, state: TaskResult['state'], extra: Partial<TaskResult> = {}): TaskResult {
  return {
    taskId,
    requestId: REQ,
    state,
    repository: 'glibc',
    deterministic: false,
    durationMs: 5,
    containerMs: 0,
    containers: 0,
    startedAt: PLANNED_AT + 1,
    finishedAt: PLANNED_AT + 2,
    ...extra,
  };
}

const finished = (r: TaskResult): TaskProbe => ({ state: 'finished', result: r });
const ACTIVE: TaskProbe = { state: 'active' };
const WAITING: TaskProbe = { state: 'waiting' };

/** How the world answers. */
interface World {
  /** Cancelled from this cancellation check on (1 = the first). */
  cancelAtCheck?: number;
  /** Result records already in Redis (an earlier run of the same build). */
  records?: Record<string, TaskResult>;
  /** Jobs another request created first: task id → that request. */
  owners?: Record<string, string>;
  /** What successive probes of a task see; the last answer repeats. */
  probes?: Record<string, TaskProbe[]>;
  /** Collecting a reused wheel into another repository fails with this message. */
  collectError?: string;
}

interface Run {
  outcome: 'done' | 'cancelled';
  /** Every action, in order (row updates left out). */
  actions: Action[];
  /** The rows as saved, by job and name. */
  rows: PackageRow[];
  /** Each batch of saved rows, in order. */
  saves: PackageRow[][];
  enqueued: string[];
  waits: number;
}

function simulate(input: SchedulerInput, world: World = {}): Run {
  let { state, actions } = startScheduler(input);
  const todo = [...actions];
  const log: Action[] = [];
  const saves: PackageRow[][] = [];
  const rows = new Map(input.rows.map((r) => [`${r.name}/${r.target}/${r.python}`, r]));
  const probeCount = new Map<string, number>();
  const enqueued: string[] = [];
  let checks = 0;
  let waits = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const action = todo.shift();
    if (action === undefined) throw new Error('the scheduler stopped without finishing');
    let observation: Observation | undefined;
    if (action.type !== 'update-rows') log.push(action);
    switch (action.type) {
      case 'watch':
        break;
      case 'update-rows':
        saves.push([...action.rows]);
        for (const row of action.rows) rows.set(`${row.name}/${row.target}/${row.python}`, row);
        break;
      case 'check-cancelled':
        checks += 1;
        observation = { type: 'cancel-checked', cancelled: world.cancelAtCheck !== undefined && checks >= world.cancelAtCheck };
        break;
      case 'look-up-failure': {
        const earlier = world.records?.[action.taskId];
        observation = { type: 'failure-looked-up', taskId: action.taskId, ...(earlier ? { earlier } : {}) };
        break;
      }
      case 'enqueue':
        enqueued.push(action.taskId);
        observation = { type: 'enqueued', taskId: action.taskId, owner: world.owners?.[action.taskId] ?? REQ };
        break;
      case 'collect-reused':
        observation = { type: 'reuse-collected', taskId: action.taskId, ...(world.collectError ? { error: world.collectError } : {}) };
        break;
      case 'probe': {
        const seen = world.probes?.[action.taskId] ?? [WAITING];
        const n = probeCount.get(action.taskId) ?? 0;
        probeCount.set(action.taskId, n + 1);
        observation = { type: 'probed', taskId: action.taskId, probe: seen[Math.min(n, seen.length - 1)]! };
        break;
      }
      case 'wait':
        waits += 1;
        observation = { type: 'woke' };
        break;
      case 'finish':
        return { outcome: action.outcome, actions: log, rows: [...rows.values()], saves, enqueued, waits };
    }
    if (observation !== undefined) {
      ({ state, actions } = advance(state, observation));
      todo.unshift(...actions);
    }
  }
  throw new Error('the scheduler did not finish within 10,000 actions');
}

function input(plan: Partial<BuildPlan>, rows: PackageRow[], extra: Partial<SchedulerInput> = {}): SchedulerInput {
  return {
    requestId: REQ,
    plannedAt: PLANNED_AT,
    plan: { rows: [], mirrors: [], builds: [], ...plan },
    rows,
    rebuildFailed: false,
    stateDir: '/state',
    ...extra,
  };
}

const rowOf = (run: Run, name: string, target = 'glibc-x86_64') => run.rows.find((r) => r.name === name && r.target === target)!;

describe('build scheduler: a plain request', () => {
  const a = build('build-a');
  const m = mirror('mirror-m');
  const run = simulate(input({ builds: [a], mirrors: [m] }, [rowFor(a), rowFor(m)]), {
    probes: {
      'mirror-m': [finished(result('mirror-m', 'mirrored', { wheel: 'mirror_m-2.0-py3-none-any.whl' }))],
      'build-a': [WAITING, ACTIVE, finished(result('build-a', 'built', { wheel: 'build_a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', logPath: '/state/logs/a.log' }))],
    },
  });

  it('watches the queues, looks up earlier failures of builds only, enqueues every task once, and ends done', () => {
    expect(run.outcome).toBe('done');
    expect(run.actions[0]).toEqual({ type: 'watch', queues: ['mirror', 'target-glibc-x86_64'] });
    expect(run.actions.filter((a) => a.type === 'look-up-failure').map((a) => (a as { taskId: string }).taskId)).toEqual(['build-a']);
    expect(run.enqueued).toEqual(['mirror-m', 'build-a']);
  });

  it('moves rows queued → building → built, and mirrored, with wheel and log', () => {
    const states = run.saves.flat().filter((r) => r.name === 'build-a').map((r) => r.state);
    expect(states).toEqual(['queued', 'building', 'built']);
    expect(rowOf(run, 'build-a')).toMatchObject({ state: 'built', wheel: 'build_a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', logPath: '/state/logs/a.log', durationMs: 5 });
    expect(rowOf(run, 'mirror-m')).toMatchObject({ state: 'mirrored', wheel: 'mirror_m-2.0-py3-none-any.whl' });
  });

  it('queued rows point at the log the build will write', () => {
    expect(run.saves.flat().find((r) => r.name === 'build-a')).toMatchObject({ state: 'queued', logPath: '/state/logs/req-1/build-a/glibc-x86_64-py3.11.log' });
  });

  it('waits for news only while nothing ended in a round', () => {
    // Round 1: both waiting → wait. Round 2: mirror ended, build active → no wait. Round 3: build ended.
    expect(run.waits).toBe(1);
  });
});

describe('build scheduler: overlapping requests share one job', () => {
  const a = build('build-a');
  it.each([
    {
      name: 'the other request created the job first: shared while it builds, shared with its wheel after',
      world: { owners: { 'build-a': 'req-0' }, probes: { 'build-a': [ACTIVE, finished(result('build-a', 'built', { requestId: 'req-0', wheel: 'a.whl' }))] } },
      states: ['shared', 'shared'],
      final: { state: 'shared', wheel: 'a.whl', reason: 'built by request req-0', logPath: '/state/logs/req-0/build-a/glibc-x86_64-py3.11.log' },
    },
    {
      name: 'our job, but another request’s run of it finished first (its record names it)',
      world: { probes: { 'build-a': [finished(result('build-a', 'built', { requestId: 'req-0', wheel: 'a.whl' }))] } },
      states: ['queued', 'shared'],
      final: { state: 'shared', wheel: 'a.whl' },
    },
    {
      name: 'our own job builds: built',
      world: { probes: { 'build-a': [finished(result('build-a', 'built', { wheel: 'a.whl' }))] } },
      states: ['queued', 'built'],
      final: { state: 'built', wheel: 'a.whl' },
    },
    {
      name: 'the shared job found the wheel published already: cached',
      world: { owners: { 'build-a': 'req-0' }, probes: { 'build-a': [finished(result('build-a', 'cached', { requestId: 'req-0', wheel: 'a.whl' }))] } },
      states: ['shared', 'cached'],
      final: { state: 'cached', wheel: 'a.whl' },
    },
  ])('$name', ({ world, states, final }) => {
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), world);
    expect(run.outcome).toBe('done');
    expect(run.saves.flat().map((r) => r.state)).toEqual(states);
    expect(rowOf(run, 'build-a')).toMatchObject(final);
  });
});

describe('build scheduler: cached failures', () => {
  const a = build('build-a');
  const failedBefore = result('build-a', 'failed', { requestId: 'req-0', deterministic: true, error: 'gcc: error', logPath: '/state/logs/req-0/a.log' });
  it.each([
    { name: 'a deterministic failure with the same inputs is reported, not rebuilt', records: { 'build-a': failedBefore }, rebuildFailed: false, enqueued: [], state: 'failed' },
    { name: 'unless the request rebuilds failures (farm retry)', records: { 'build-a': failedBefore }, rebuildFailed: true, enqueued: ['build-a'], state: 'built' },
    {
      name: 'a transient failure before is built again',
      records: { 'build-a': { ...failedBefore, deterministic: false } },
      rebuildFailed: false,
      enqueued: ['build-a'],
      state: 'built',
    },
    { name: 'an earlier success is no failure', records: { 'build-a': result('build-a', 'built') }, rebuildFailed: false, enqueued: ['build-a'], state: 'built' },
  ])('$name', ({ records, rebuildFailed, enqueued, state }) => {
    const run = simulate(input({ builds: [a] }, [rowFor(a)], { rebuildFailed }), {
      records,
      probes: { 'build-a': [finished(result('build-a', 'built', { wheel: 'a.whl' }))] },
    });
    expect(run.enqueued).toEqual(enqueued);
    expect(rowOf(run, 'build-a').state).toBe(state);
    expect(run.actions.some((x) => x.type === 'look-up-failure')).toBe(!rebuildFailed);
  });

  it('the reported failure carries the earlier error, log and request', () => {
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), { records: { 'build-a': failedBefore } });
    expect(rowOf(run, 'build-a')).toMatchObject({
      state: 'failed',
      error: 'gcc: error',
      logPath: '/state/logs/req-0/a.log',
      reason: 'failed before with the same sdist, image and recipe (request req-0); farm retry builds it again',
    });
  });

  it('a build that depends on a cached failure still runs (its smoke test decides)', () => {
    const b = build('build-b', { dependsOn: ['build-a'] });
    const run = simulate(input({ builds: [a, b] }, [rowFor(a), rowFor(b)]), {
      records: { 'build-a': failedBefore },
      probes: { 'build-b': [finished(result('build-b', 'built', { wheel: 'b.whl' }))] },
    });
    expect(run.enqueued).toEqual(['build-b']);
  });
});

describe('build scheduler: transient errors are retried by the queue, and the rows follow', () => {
  it('active, back to waiting (retry backoff), active again, then built', () => {
    const a = build('build-a');
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), {
      probes: { 'build-a': [ACTIVE, WAITING, ACTIVE, finished(result('build-a', 'built', { wheel: 'a.whl' }))] },
    });
    expect(run.saves.flat().map((r) => r.state)).toEqual(['queued', 'building', 'built']);
    expect(run.waits).toBe(3);
    expect(run.enqueued).toEqual(['build-a']);
  });

  it('out of attempts: the record says failed, the row fails with the error', () => {
    const a = build('build-a');
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), {
      probes: { 'build-a': [ACTIVE, finished(result('build-a', 'failed', { error: 'docker: connection reset' }))] },
    });
    expect(rowOf(run, 'build-a')).toMatchObject({ state: 'failed', error: 'docker: connection reset' });
  });

  it('a job that vanished without a record fails the row', () => {
    const a = build('build-a');
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), {
      probes: { 'build-a': [finished(result('build-a', 'failed', { requestId: '-', error: 'the job ended without a result', durationMs: 0 }))] },
    });
    expect(rowOf(run, 'build-a')).toMatchObject({ state: 'failed', error: 'the job ended without a result' });
    expect(rowOf(run, 'build-a').durationMs).toBeUndefined();
  });
});

describe('build scheduler: a cancel in the middle', () => {
  const a = build('build-a');
  const b = build('build-b', { dependsOn: ['build-a'] });
  it.each([
    { at: 1, enqueued: [], rows: ['resolved', 'resolved'] },
    { at: 2, enqueued: ['build-a'], rows: ['building', 'resolved'] },
    { at: 3, enqueued: ['build-a'], rows: ['built', 'resolved'] },
    { at: 4, enqueued: ['build-a', 'build-b'], rows: ['built', 'building'] },
  ])('cancelled at check $at: stops there, enqueues nothing more', ({ at, enqueued, rows }) => {
    const run = simulate(input({ builds: [a, b] }, [rowFor(a), rowFor(b)]), {
      cancelAtCheck: at,
      probes: { 'build-a': [ACTIVE, finished(result('build-a', 'built', { wheel: 'a.whl' }))], 'build-b': [ACTIVE] },
    });
    expect(run.outcome).toBe('cancelled');
    expect(run.enqueued).toEqual(enqueued);
    expect([rowOf(run, 'build-a').state, rowOf(run, 'build-b').state]).toEqual(rows);
    expect(run.actions.at(-1)).toEqual({ type: 'finish', outcome: 'cancelled' });
  });

  it('a task cancelled under a shared job ends skipped, reason cancelled', () => {
    const run = simulate(input({ builds: [a] }, [rowFor(a)]), { probes: { 'build-a': [finished(result('build-a', 'cancelled'))] } });
    expect(rowOf(run, 'build-a')).toMatchObject({ state: 'skipped', reason: 'cancelled' });
  });
});

describe('build scheduler: dependency order', () => {
  it('a build waits until its dependencies ended; mirrors go first', () => {
    const m = mirror('mirror-m');
    const a = build('build-a', { dependsOn: ['mirror-m'] });
    const b = build('build-b', { dependsOn: ['build-a'] });
    const run = simulate(input({ mirrors: [m], builds: [a, b] }, [rowFor(m), rowFor(a), rowFor(b)]), {
      probes: {
        'mirror-m': [finished(result('mirror-m', 'mirrored', { wheel: 'm.whl' }))],
        'build-a': [finished(result('build-a', 'built', { wheel: 'a.whl' }))],
        'build-b': [finished(result('build-b', 'built', { wheel: 'b.whl' }))],
      },
    });
    expect(run.enqueued).toEqual(['mirror-m', 'build-a', 'build-b']);
    const order = run.actions.filter((x) => x.type === 'enqueue' || x.type === 'probe').map((x) => `${x.type} ${(x as { taskId: string }).taskId}`);
    expect(order).toEqual(['enqueue mirror-m', 'probe mirror-m', 'enqueue build-a', 'probe build-a', 'enqueue build-b', 'probe build-b']);
  });

  it('builds others wait for go first for a free slot (blocking counts)', () => {
    const a = build('build-a');
    const b = build('build-b', { dependsOn: ['build-a'] });
    const c = build('build-c', { dependsOn: ['build-a'], reusePureFrom: 'build-b' });
    const run = simulate(input({ builds: [a, b, c] }, [rowFor(a), rowFor(b), rowFor(c)]), {
      probes: {
        'build-a': [finished(result('build-a', 'built', { wheel: 'a.whl' }))],
        'build-b': [finished(result('build-b', 'built', { wheel: 'b-1.0-cp311-cp311-linux_x86_64.whl' }))],
        'build-c': [finished(result('build-c', 'built', { wheel: 'c.whl' }))],
      },
    });
    const blocking = Object.fromEntries(run.actions.filter((x) => x.type === 'enqueue').map((x) => [(x as { taskId: string }).taskId, (x as { blocking: number }).blocking]));
    expect(blocking['build-a']).toBe(2);
    expect(blocking['build-b']).toBe(1);
  });

  it('a broken plan (a dependency cycle the planner did not break) still runs every build', () => {
    const a = build('build-a', { dependsOn: ['build-b'] });
    const b = build('build-b', { dependsOn: ['build-a'] });
    const run = simulate(input({ builds: [a, b] }, [rowFor(a), rowFor(b)]), {
      probes: { 'build-a': [finished(result('build-a', 'built'))], 'build-b': [finished(result('build-b', 'built'))] },
    });
    expect(run.outcome).toBe('done');
    expect(run.enqueued.sort()).toEqual(['build-a', 'build-b']);
  });
});

describe('build scheduler: a pure-Python wheel is built once', () => {
  const first = build('build-first', { name: 'p' });
  const PURE = 'p-1.0-py3-none-any.whl';
  const later = (repository: string, target: string) => build('build-later', { name: 'p', target, repository, recipeHash: 'sha256:musl', reusePureFrom: 'build-first' });
  it.each([
    {
      name: 'same repository: the wheel serves the other target, no second build',
      task: later('glibc', 'glibc-aarch64'),
      firstWheel: PURE,
      enqueued: ['build-first'],
      collect: false,
      row: { state: 'built', wheel: PURE, reason: 'pure-Python wheel, built once (on glibc-x86_64)' },
    },
    {
      name: 'another repository: collected there, with this target’s recipe hash',
      task: later('musl', 'musl-x86_64'),
      firstWheel: PURE,
      enqueued: ['build-first'],
      collect: true,
      row: { state: 'built', wheel: PURE, reason: 'pure-Python wheel, built once (on glibc-x86_64) and collected into musl' },
    },
    {
      name: 'the first build was not pure: this target builds its own',
      task: later('musl', 'musl-x86_64'),
      firstWheel: 'p-1.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      enqueued: ['build-first', 'build-later'],
      collect: false,
      row: { state: 'built', wheel: 'later.whl' },
    },
  ])('$name', ({ task, firstWheel, enqueued, collect, row }) => {
    const run = simulate(input({ builds: [first, task] }, [rowFor(first), rowFor(task)]), {
      probes: {
        'build-first': [finished(result('build-first', 'built', { wheel: firstWheel }))],
        'build-later': [finished(result('build-later', 'built', { wheel: 'later.whl' }))],
      },
    });
    expect(run.enqueued).toEqual(enqueued);
    const collects = run.actions.filter((x) => x.type === 'collect-reused');
    expect(collects).toEqual(
      collect ? [{ type: 'collect-reused', taskId: 'build-later', wheel: PURE, from: 'glibc', into: 'musl', provenance: { recipeHash: 'sha256:musl', image: 'img@sha256:1' } }] : [],
    );
    expect(rowOf(run, 'p', task.target)).toMatchObject(row);
  });

  it('collecting into the other repository fails: the row fails with why', () => {
    const task = later('musl', 'musl-x86_64');
    const run = simulate(input({ builds: [first, task] }, [rowFor(first), rowFor(task)]), {
      collectError: 'collecting p-1.0-py3-none-any.whl into musl: disk full',
      probes: { 'build-first': [finished(result('build-first', 'built', { wheel: PURE }))] },
    });
    expect(rowOf(run, 'p', 'musl-x86_64')).toMatchObject({ state: 'failed', error: 'collecting p-1.0-py3-none-any.whl into musl: disk full' });
  });

  it('a shared first build makes the reused row shared too', () => {
    const task = later('glibc', 'glibc-aarch64');
    const run = simulate(input({ builds: [first, task] }, [rowFor(first), rowFor(task)]), {
      owners: { 'build-first': 'req-0' },
      probes: { 'build-first': [finished(result('build-first', 'built', { requestId: 'req-0', wheel: PURE }))] },
    });
    expect(rowOf(run, 'p', 'glibc-aarch64')).toMatchObject({ state: 'shared', wheel: PURE });
  });
});

describe('build scheduler: resuming after the worker died', () => {
  const m = mirror('mirror-m');
  const a = build('build-a');
  const b = build('build-b', { dependsOn: ['build-a'] });
  const probes = {
    'mirror-m': [finished(result('mirror-m', 'mirrored', { wheel: 'm.whl' }))],
    'build-a': [finished(result('build-a', 'built', { wheel: 'a.whl' }))],
    'build-b': [finished(result('build-b', 'built', { wheel: 'b.whl' }))],
  };
  it.each([
    {
      name: 'before anything was enqueued',
      rows: [rowFor(m), rowFor(a), rowFor(b)],
      enqueued: ['mirror-m', 'build-a', 'build-b'],
    },
    {
      name: 'with jobs queued and building (enqueuing again finds them: a no-op)',
      rows: [rowFor(m, 'queued'), rowFor(a, 'building'), rowFor(b)],
      enqueued: ['mirror-m', 'build-a', 'build-b'],
    },
    {
      name: 'with some tasks ended: they are not run again',
      rows: [rowFor(m, 'mirrored', { wheel: 'm.whl' }), rowFor(a, 'built', { wheel: 'a.whl' }), rowFor(b, 'queued')],
      enqueued: ['build-b'],
    },
    {
      name: 'with a failed task: it stays failed, its dependent runs',
      rows: [rowFor(m, 'mirrored', { wheel: 'm.whl' }), rowFor(a, 'failed', { error: 'x' }), rowFor(b)],
      enqueued: ['build-b'],
    },
    {
      name: 'with a shared task that had delivered its wheel',
      rows: [rowFor(m, 'mirrored', { wheel: 'm.whl' }), rowFor(a, 'shared', { wheel: 'a.whl' }), rowFor(b)],
      enqueued: ['build-b'],
    },
    {
      name: 'with everything ended: finishes at once',
      rows: [rowFor(m, 'mirrored', { wheel: 'm.whl' }), rowFor(a, 'built', { wheel: 'a.whl' }), rowFor(b, 'built', { wheel: 'b.whl' })],
      enqueued: [],
    },
  ])('$name', ({ rows, enqueued }) => {
    const run = simulate(input({ mirrors: [m], builds: [a, b] }, rows), { probes });
    expect(run.outcome).toBe('done');
    expect(run.enqueued).toEqual(enqueued);
    expect(run.rows.every((r) => ['mirrored', 'built', 'failed', 'shared'].includes(r.state))).toBe(true);
  });

  it('a reuse whose first build ended before the crash takes its wheel', () => {
    const first = build('build-first', { name: 'p' });
    const later = build('build-later', { name: 'p', target: 'glibc-aarch64', reusePureFrom: 'build-first' });
    const run = simulate(input({ builds: [first, later] }, [rowFor(first, 'built', { wheel: 'p-1.0-py3-none-any.whl' }), rowFor(later)]));
    expect(run.enqueued).toEqual([]);
    expect(rowOf(run, 'p', 'glibc-aarch64')).toMatchObject({ state: 'built', wheel: 'p-1.0-py3-none-any.whl' });
  });
});

describe('build scheduler: observations that do not fit are refused', () => {
  it('throws on an answer nobody asked for', () => {
    const a = build('build-a');
    const { state } = startScheduler(input({ builds: [a] }, [rowFor(a)]));
    expect(() => advance(state, { type: 'enqueued', taskId: 'build-a' })).toThrow(TypeError);
    expect(() => advance(state, { type: 'woke' })).toThrow(TypeError);
  });
});

describe('build scheduler: build dependencies come first, and only a complete build environment is enqueued', () => {
  const setuptools = mirror('mirror-setuptools', 'setuptools');
  const helper = build('build-helper', { name: 'helper' });
  const user = build('build-user', {
    name: 'user',
    buildDeps: [
      { name: 'setuptools', version: '2.0', taskId: setuptools.id },
      { name: 'helper', version: '1.0', taskId: helper.id },
      { name: 'wheel', version: '0.38', wheel: 'wheel-0.38-py3-none-any.whl' },
    ],
  });
  const rows = [rowFor(setuptools), rowFor(helper), rowFor(user)];
  const enqueuedWith = (run: Run, taskId: string) =>
    run.actions.find((a): a is Extract<Action, { type: 'enqueue' }> => a.type === 'enqueue' && a.taskId === taskId)?.buildDeps;

  it.each<{ name: string; probes: Record<string, TaskProbe[]>; owners?: Record<string, string>; enqueued: string[]; user: Partial<PackageRow>; env: unknown }>([
    {
      name: 'the build waits for its build dependencies and gets their wheels',
      probes: {
        'mirror-setuptools': [finished(result('mirror-setuptools', 'mirrored', { wheel: 'setuptools-2.0-py3-none-any.whl' }))],
        'build-helper': [ACTIVE, finished(result('build-helper', 'built', { wheel: 'helper-1.0-cp311-cp311-linux_x86_64.whl' }))],
        'build-user': [finished(result('build-user', 'built', { wheel: 'user-1.0-cp311-cp311-linux_x86_64.whl' }))],
      },
      enqueued: ['mirror-setuptools', 'build-helper', 'build-user'],
      user: { state: 'built' },
      env: [
        { name: 'setuptools', version: '2.0', filename: 'setuptools-2.0-py3-none-any.whl' },
        { name: 'helper', version: '1.0', filename: 'helper-1.0-cp311-cp311-linux_x86_64.whl' },
        { name: 'wheel', version: '0.38', filename: 'wheel-0.38-py3-none-any.whl' },
      ],
    },
    {
      name: 'a build dependency another request builds: its wheel serves',
      owners: { 'build-helper': 'req-0' },
      probes: {
        'mirror-setuptools': [finished(result('mirror-setuptools', 'mirrored', { wheel: 'setuptools-2.0-py3-none-any.whl' }))],
        'build-helper': [finished(result('build-helper', 'built', { requestId: 'req-0', wheel: 'helper-1.0-cp311-cp311-linux_x86_64.whl' }))],
        'build-user': [finished(result('build-user', 'built', { wheel: 'u.whl' }))],
      },
      enqueued: ['mirror-setuptools', 'build-helper', 'build-user'],
      user: { state: 'built' },
      env: [
        { name: 'setuptools', version: '2.0', filename: 'setuptools-2.0-py3-none-any.whl' },
        { name: 'helper', version: '1.0', filename: 'helper-1.0-cp311-cp311-linux_x86_64.whl' },
        { name: 'wheel', version: '0.38', filename: 'wheel-0.38-py3-none-any.whl' },
      ],
    },
    {
      name: 'a failed build dependency fails the build without enqueuing it, naming the dependency',
      probes: {
        'mirror-setuptools': [finished(result('mirror-setuptools', 'mirrored', { wheel: 'setuptools-2.0-py3-none-any.whl' }))],
        'build-helper': [finished(result('build-helper', 'failed', { deterministic: true, error: 'ffi.h: no such file' }))],
      },
      enqueued: ['mirror-setuptools', 'build-helper'],
      user: { state: 'failed', error: 'build dependency helper 1.0 failed, so it was not built (see the log of helper)' },
      env: undefined,
    },
    {
      name: 'a cancelled build dependency: not built either',
      probes: {
        'mirror-setuptools': [finished(result('mirror-setuptools', 'mirrored', { wheel: 'setuptools-2.0-py3-none-any.whl' }))],
        'build-helper': [finished(result('build-helper', 'cancelled'))],
      },
      enqueued: ['mirror-setuptools', 'build-helper'],
      user: { state: 'failed', error: 'build dependency helper 1.0 was cancelled, so it was not built (see the log of helper)' },
      env: undefined,
    },
  ])('$name', ({ probes, owners, enqueued, user: expected, env }) => {
    const run = simulate(input({ builds: [helper, user], mirrors: [setuptools] }, rows), { probes, ...(owners ? { owners } : {}) });
    expect(run.outcome).toBe('done');
    expect(run.enqueued).toEqual(enqueued);
    expect(rowOf(run, 'user')).toMatchObject(expected);
    expect(enqueuedWith(run, 'build-user')).toEqual(env);
  });

  it('a build dependency the plan could not provide fails the build at once', () => {
    const blocked = build('build-blocked', { name: 'blocked', buildDeps: [{ name: 'nope', version: '1', problem: 'skipped by its recipe (no musl)' }] });
    const run = simulate(input({ builds: [blocked] }, [rowFor(blocked)]));
    expect(run.enqueued).toEqual([]);
    expect(rowOf(run, 'blocked')).toMatchObject({ state: 'failed', error: 'build dependency nope 1: skipped by its recipe (no musl)' });
  });

  it('build dependencies go first for a free slot: they block the build that needs them', () => {
    const run = simulate(input({ builds: [helper, user], mirrors: [setuptools] }, rows), {
      probes: {
        'mirror-setuptools': [finished(result('mirror-setuptools', 'mirrored', { wheel: 's.whl' }))],
        'build-helper': [finished(result('build-helper', 'built', { wheel: 'h.whl' }))],
        'build-user': [finished(result('build-user', 'built', { wheel: 'u.whl' }))],
      },
    });
    const blocking = Object.fromEntries(
      run.actions.filter((a): a is Extract<Action, { type: 'enqueue' }> => a.type === 'enqueue').map((a) => [a.taskId, a.blocking]),
    );
    // Mirrors have their own queue, no build slot to wait for.
    expect(blocking).toEqual({ 'mirror-setuptools': 0, 'build-helper': 1, 'build-user': 0 });
  });
});
