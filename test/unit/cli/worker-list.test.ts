import { describe, expect, it } from 'vitest';
import type { WorkerInfo, WorkerView } from '../../../src/docker/worker-info.js';
import { renderWorkerList, workerState } from '../../../src/cli/render/worker-list.js';
import { makeStyle } from '../../../src/cli/render/style.js';

const info = (overrides: Partial<WorkerInfo> = {}): WorkerInfo => ({
  id: 'w',
  host: 'armbox',
  pid: 7,
  kind: 'remote',
  server: 'https://farm.example',
  token: 'arm-box-1',
  targets: [
    { id: 'glibc-armv7', mode: 'native' },
    { id: 'glibc-x86_64', mode: 'emulated' },
  ],
  orchestrates: false,
  startedAt: '2026-01-01T00:00:00.000Z',
  version: '0.1.0',
  running: ['build-a', 'build-b'],
  ...overrides,
});

describe('farm workers', () => {
  it.each([
    [{ alive: true, info: info() }, 'up'],
    [{ alive: false, info: info() }, 'gone'],
    [{ alive: false, info: info({ stoppedAt: '2026-01-01T01:00:00.000Z' }) }, 'stopped'],
    [{ alive: false, info: undefined }, 'gone'],
  ] as const)('state %# is %s', (view, state) => {
    expect(workerState({ id: 'w', lastSeen: 0, ...view })).toBe(state);
  });

  it('shows host, kind, targets with their mode, running jobs and the heartbeat age', () => {
    const views: WorkerView[] = [
      { id: 'armbox-12-abcdef', lastSeen: 1_000, alive: true, info: info() },
      { id: 'home-3-123456', lastSeen: -119_000, alive: false, info: info({ host: 'home', kind: 'local', token: undefined, orchestrates: true, running: [], targets: [] }) },
      { id: 'old', lastSeen: 0, alive: false, info: undefined },
    ];
    expect(renderWorkerList(views, 4_000, makeStyle(false))).toEqual([
      'WORKER            HOST    KIND                TARGETS                                        JOBS  LAST HEARTBEAT  STATE',
      'armbox-12-abcdef  armbox  remote (arm-box-1)  glibc-armv7 (native), glibc-x86_64 (emulated)  2     3.0s ago        up',
      'home-3-123456     home    local, requests     -                                              0     2m03s ago       gone',
      'old               ?       ?                   ?                                              ?     4.0s ago        gone',
    ]);
  });
});
