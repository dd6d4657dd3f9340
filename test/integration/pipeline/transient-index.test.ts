/**
 * A pip run that fails because of the index is not the package's failure
 * (issue 14, point 18). The upstream answers 503 to the first six requests
 * for `/simple/setuptools/` (pip's own five retries included), so the
 * build's first attempt fails in build isolation; farm must classify that
 * as transient, retry the build with backoff and publish the wheel, instead
 * of reporting (and caching) a build failure. glibc-x86_64 only.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { dropPrefix, farmConfig, randomId, removeVolumes, wheelsIn } from './helpers.js';

const FAILING_REQUESTS = 6;
const id = randomId();
const prefix = `farm-it-transient-${id}`;
const volumePrefix = `farm-transient-it-${id}-`;
const dir = `/tmp/farm-transient-it-${id}`;
let server: StaticServer;
let failed = 0;

beforeAll(async () => {
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-c'] });
  server = await serveStatic(path.join(dir, 'upstream'), {
    fault: (urlPath) => (urlPath === '/simple/setuptools/' && failed++ < FAILING_REQUESTS ? 503 : undefined),
  });
  await writeFile(path.join(dir, 'requirements.txt'), 'farmfix-c\n');
});

afterAll(async () => {
  await server?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await rm(dir, { recursive: true, force: true });
});

describe('an index failing pip for a while', () => {
  it('is a transient failure: the build is retried and the wheel published, nothing reported as the package failing', async () => {
    const config = farmConfig(path.join(dir, 'farm'), `${server.url}/simple/`);
    const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const status = await engine.wait(await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] }));
      const row = status.rows.find((r) => r.name === 'farmfix-c');
      const log = row?.logPath === undefined ? '' : await readFile(row.logPath, 'utf8');
      expect(failed, 'the index fault was never hit').toBeGreaterThanOrEqual(FAILING_REQUESTS);
      expect(row, log.slice(-3000)).toMatchObject({ state: 'built' });
      expect(log).toMatch(/# farm: pip failed because of the network or the index \(.*503.*\): transient, to be retried/);
      expect(log).toMatch(/attempt 2,/);
      expect(await wheelsIn(config.root, 'glibc')).toHaveLength(1);
    } finally {
      await engine.close();
    }
  }, 15 * 60_000);
});
