import { describe, expect, it } from 'vitest';
import { WorkerInfo } from '../../../../src/docker/worker-info.js';
import { describeWorker, type WorkerFacts } from '../../../../src/pipeline/worker/worker-description.js';

const facts: WorkerFacts = {
  id: 'arm-1-42',
  host: 'arm-1',
  pid: 42,
  version: '0.1.0',
  startedAt: new Date('2026-12-02T10:00:00Z'),
  targets: ['glibc-aarch64', 'glibc-armv7'],
  emulated: (t) => t === 'glibc-armv7',
  orchestrates: false,
};

describe('describeWorker', () => {
  it('a local worker: its targets, native or emulated, and its running jobs', () => {
    const info = describeWorker(facts, ['build:a', 'resolve:b']);
    expect(WorkerInfo.parse(info)).toEqual(info);
    expect(info).toMatchObject({
      kind: 'local',
      targets: [
        { id: 'glibc-aarch64', mode: 'native' },
        { id: 'glibc-armv7', mode: 'emulated' },
      ],
      running: ['build:a', 'resolve:b'],
      startedAt: '2026-12-02T10:00:00.000Z',
    });
    expect(info).not.toHaveProperty('server');
  });

  it('a remote worker names its server and token', () => {
    const info = describeWorker({ ...facts, remote: { server: 'https://farm.example', token: 'arm-1' } }, []);
    expect(info).toMatchObject({ kind: 'remote', server: 'https://farm.example', token: 'arm-1', running: [] });
  });
});
