/**
 * A build's wall-clock limit and `farm cancel` both stop its container: the
 * build is reported (timeout: failed; cancel: skipped), nothing is published,
 * no container is left. glibc-x86_64 only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import {
  containersLabelled,
  dropPrefix,
  eventually,
  farmConfig,
  randomId,
  removeVolumes,
  startUpstream,
  wheelsIn,
  type TestUpstream,
} from './helpers.js';
import { isBuildBackendWheel } from '../../support/request-rows.js';

const id = randomId();
const prefix = `farm-it-pipeline-${id}`;
const volumePrefix = `farm-pipeline-it-${id}-`;
let up: TestUpstream;

beforeAll(async () => {
  up = await startUpstream();
  await writeFile(path.join(up.dir, 'cext.txt'), 'farmfix-cext\n');
});

afterAll(async () => {
  await dropPrefix(prefix);
  await dropPrefix(`${prefix}-t`);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('stopping builds', () => {
  it('a build past its timeout is killed and reported failed, without a container left', async () => {
    const dir = path.join(up.dir, 'timeout');
    // Resolution and the smoke test keep their limits; only the build is cut short.
    const config = farmConfig(dir, `${up.server.url}/simple/`, '');
    config.timeouts.buildSeconds = 1;
    const engine: Engine = await openEngine(config, { prefix: `${prefix}-t`, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const status = await engine.wait(await engine.submit({ requirements: [path.join(up.dir, 'cext.txt')], targets: ['glibc-x86_64'] }));
      expect(status.state).toBe('done');
      expect(status.rows[0]).toMatchObject({ name: 'farmfix-cext', state: 'failed' });
      expect(status.rows[0]!.error).toMatch(/killed after 1s timeout/);
      // Only the build dependencies mirrored before the build (setuptools, wheel); no wheel of the cancelled package.
      expect((await wheelsIn(config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w))).toEqual([]);
      expect(await containersLabelled(`farm.request=${status.id}`)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('farm cancel stops the running build container and ends the request as cancelled', async () => {
    const dir = path.join(up.dir, 'cancel');
    const config = farmConfig(dir, `${up.server.url}/simple/`);
    const engine: Engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const requestId = await engine.submit({ requirements: [path.join(up.dir, 'cext.txt')], targets: ['glibc-x86_64'] });
      const building = await eventually(
        async () => (await containersLabelled(`farm.request=${requestId}`)).some((c) => c.State === 'running' && c.Labels['farm.job']?.startsWith('build-')),
        5 * 60_000,
        100,
      );
      expect(building).toBe(true);
      await engine.cancel(requestId);
      const status = await engine.wait(requestId, { timeoutMs: 60_000 });
      expect(status.state).toBe('cancelled');
      expect(status.rows[0]).toMatchObject({ name: 'farmfix-cext', state: 'skipped', reason: 'cancelled' });
      const gone = await eventually(async () => (await containersLabelled(`farm.request=${requestId}`)).length === 0, 15_000, 100);
      expect(gone).toBe(true);
      expect((await wheelsIn(config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w))).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
