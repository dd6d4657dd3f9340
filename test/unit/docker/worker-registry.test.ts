import { describe, expect, it } from 'vitest';
import { InMemoryWorkerRegistry } from '../../../src/docker/memory-worker-registry.js';
import { startHeartbeat } from '../../../src/docker/worker-registry.js';

describe('InMemoryWorkerRegistry', () => {
  it.each([
    ['never seen', [], 0, false],
    ['fresh heartbeat', [0], 10, true],
    ['heartbeat just expired', [0], 30_000, false],
    ['refreshed heartbeat', [0, 25_000], 40_000, true],
  ])('%s', async (_name, beats, checkAt, alive) => {
    let now = 0;
    const registry = new InMemoryWorkerRegistry(30_000, () => now);
    for (const at of beats) {
      now = at;
      await registry.heartbeat('w1');
    }
    now = checkAt;
    expect(await registry.isAlive('w1')).toBe(alive);
    expect(await registry.isAlive('other')).toBe(false);
  });

  it('marks an unregistered worker dead at once, but still known', async () => {
    const registry = new InMemoryWorkerRegistry();
    await registry.heartbeat('w1');
    await registry.unregister('w1');
    expect(await registry.isAlive('w1')).toBe(false);
    expect(await registry.isKnown('w1')).toBe(true);
    expect(await registry.isKnown('never-seen')).toBe(false);
  });
});

describe('startHeartbeat', () => {
  it('is alive before it returns and dead after stop', async () => {
    const registry = new InMemoryWorkerRegistry();
    const handle = await startHeartbeat(registry, 'w1', 10_000);
    expect(await registry.isAlive('w1')).toBe(true);
    await handle.stop();
    expect(await registry.isAlive('w1')).toBe(false);
  });
});
