import { describe, expect, it } from 'vitest';
import type { WorkerRegistry } from '../../../src/docker/worker-registry.js';
import { localWorkerPid, withLocalWorkers } from '../../../src/docker/local-workers.js';

const empty: WorkerRegistry = { isKnown: async () => false, isAlive: async () => false };
const remoteAlive: WorkerRegistry = { isKnown: async (id) => id === 'other-1-abcdef', isAlive: async (id) => id === 'other-1-abcdef' };

describe('local worker liveness', () => {
  it.each([
    ['box-123-a1b2c3', 123],
    ['box-0042-ffffff', 42],
    ['box-123-a1b2c3x', undefined],
    ['boxer-123-a1b2c3', undefined],
    ['other-123-a1b2c3', undefined],
    ['farm-it-worker-a', undefined],
  ])('%s → %s', (id, pid) => {
    expect(localWorkerPid(id, 'box')).toBe(pid);
  });

  it('a worker of this host is alive exactly while its process exists', async () => {
    const registry = withLocalWorkers(empty, 'box');
    expect(await registry.isKnown(`box-${process.pid}-abcdef`)).toBe(true);
    expect(await registry.isAlive(`box-${process.pid}-abcdef`)).toBe(true);
    // PID 2^22 + 1 is beyond Linux's pid_max: never a live process.
    expect(await registry.isAlive('box-4194305-abcdef')).toBe(false);
  });

  it('other workers are left to the registry', async () => {
    const registry = withLocalWorkers(remoteAlive, 'box');
    expect(await registry.isKnown('other-1-abcdef')).toBe(true);
    expect(await registry.isAlive('other-1-abcdef')).toBe(true);
    expect(await registry.isKnown('stranger')).toBe(false);
  });
});
