import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContainerSpec, FARM_LABELS } from '../../../src/docker/container-spec.js';
import { InMemoryWorkerRegistry } from '../../../src/docker/memory-worker-registry.js';
import { RedisWorkerRegistry } from '../../../src/docker/redis-worker-registry.js';
import { sweepOrphans } from '../../../src/docker/sweep.js';
import { startHeartbeat } from '../../../src/docker/worker-registry.js';
import { ensureBusyboxTestImage } from '../../support/test-images.js';
import { AREA_PREFIX, containersOf, docker, removeContainersOf, testWorkerId } from './support/docker-test-kit.js';

let image: string;
const created: string[] = [];
const workers: string[] = [];

beforeAll(async () => {
  image = await ensureBusyboxTestImage(docker);
});

afterAll(async () => {
  await removeContainersOf(...workers);
  for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
});

/** A leftover build container of `workerId`, as a crashed worker would leave it. */
async function leftover(workerId: string, state: 'running' | 'created'): Promise<string> {
  const container = await docker.createContainer(
    buildContainerSpec(
      { image, platform: 'linux/amd64', argv: ['sleep', '600'], cache: false },
      { jobId: `job-${randomUUID().slice(0, 6)}`, workerId, targetId: 'glibc-x86_64', network: 'none' },
    ),
  );
  created.push(container.id);
  if (state === 'running') await container.start();
  return container.id;
}

const exists = async (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe('sweepOrphans', () => {
  it('removes the leftover containers of a dead worker and keeps those of live, unknown and unlabelled owners', async () => {
    const registry = new InMemoryWorkerRegistry();
    const self = testWorkerId('self');
    const live = testWorkerId('live');
    const dead = testWorkerId('dead');
    const foreign = testWorkerId('foreign');
    workers.push(self, live, dead, foreign);
    await registry.heartbeat(live);
    await registry.heartbeat(dead);
    await registry.unregister(dead);

    const deadRunning = await leftover(dead, 'running');
    const deadCreated = await leftover(dead, 'created');
    const liveRunning = await leftover(live, 'running');
    // Unknown to this registry: another farm (or test run) on the same engine.
    const foreignRunning = await leftover(foreign, 'running');
    // The sweeping worker itself, which the registry has not even seen yet.
    const selfRunning = await leftover(self, 'running');
    // farm-managed but owned by no worker (an image bootstrap, say).
    const unowned = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '600'],
      Labels: { [FARM_LABELS.managed]: 'true', 'farm.test': `${AREA_PREFIX}unowned` },
    });
    created.push(unowned.id);

    const swept = await sweepOrphans(docker, registry, { selfId: self });

    expect(swept.map((s) => s.id).sort()).toEqual([deadRunning, deadCreated].sort());
    expect(swept.every((s) => s.workerId === dead && s.targetId === 'glibc-x86_64')).toBe(true);
    expect(swept.map((s) => s.state).sort()).toEqual(['created', 'running']);
    expect(await containersOf(dead)).toEqual([]);
    for (const kept of [liveRunning, foreignRunning, selfRunning, unowned.id]) expect(await exists(kept)).toBe(true);
  });

  it('does nothing on a second sweep', async () => {
    const registry = new InMemoryWorkerRegistry();
    const dead = testWorkerId('dead2');
    workers.push(dead);
    await registry.heartbeat(dead);
    await registry.unregister(dead);
    await leftover(dead, 'created');
    expect(await sweepOrphans(docker, registry, { selfId: testWorkerId('self2') })).toHaveLength(1);
    expect(await sweepOrphans(docker, registry, { selfId: testWorkerId('self2') })).toEqual([]);
  });
});

describe('RedisWorkerRegistry with the sweeper', () => {
  const redis = new Redis(process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  const prefix = `${AREA_PREFIX}${randomUUID().slice(0, 8)}:`;

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('treats a worker whose heartbeat expired as dead and sweeps its container; a beating worker is kept', async () => {
    const registry = new RedisWorkerRegistry(redis, { prefix, ttlSeconds: 2 });
    const crashed = testWorkerId('crashed');
    const beating = testWorkerId('beating');
    workers.push(crashed, beating);

    const heartbeat = await startHeartbeat(registry, beating, 300);
    try {
      const orphan = await leftover(crashed, 'running');
      const kept = await leftover(beating, 'running');
      // The crashed worker beat once and then stopped (no clean unregister).
      await registry.heartbeat(crashed);
      expect(await registry.isAlive(crashed)).toBe(true);
      expect(await sweepOrphans(docker, registry, { selfId: testWorkerId('self3') })).toEqual([]);

      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await registry.isAlive(crashed)).toBe(false);
      expect(await registry.isKnown(crashed)).toBe(true);
      expect(await registry.isAlive(beating)).toBe(true);

      const swept = await sweepOrphans(docker, registry, { selfId: testWorkerId('self3') });
      expect(swept.map((s) => s.id)).toEqual([orphan]);
      expect(await exists(orphan)).toBe(false);
      expect(await exists(kept)).toBe(true);
    } finally {
      await heartbeat.stop();
    }
    expect(await registry.isAlive(beating)).toBe(false);
  });
});
