/**
 * A pip run that fails because of the index is not the package's failure
 * (issue 14, point 18). The upstream answers 503 to the first twelve requests
 * for `/simple/farmfix-c/` (two pip runs, pip's own five retries included), so the
 * resolve job's first attempt fails: since the compile runs offline (issue
 * 12), resolving is where pip reads the index. farm must classify that as
 * transient, retry with backoff and publish the wheel, instead of reporting
 * (and caching) the set's failure. glibc-x86_64 only.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { dropPrefix, farmConfig, randomId, removeVolumes, wheelsIn } from './helpers.js';
import { isBuildBackendWheel } from '../../support/request-rows.js';

// Six per pip run (pip's own five retries included), and resolve.py runs pip a second time (with build isolation) when the first run fails.
const FAILING_REQUESTS = 12;
const id = randomId();
const prefix = `farm-it-transient-${id}`;
const volumePrefix = `farm-transient-it-${id}-`;
const dir = `/tmp/farm-transient-it-${id}`;
let server: StaticServer;
let failed = 0;

beforeAll(async () => {
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-c'] });
  server = await serveStatic(path.join(dir, 'upstream'), {
    fault: (urlPath) => (urlPath === '/simple/farmfix-c/' && failed++ < FAILING_REQUESTS ? 503 : undefined),
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
  it('is a transient failure: the resolve job is retried and the wheel published, nothing reported as the package failing', async () => {
    const config = farmConfig(path.join(dir, 'farm'), `${server.url}/simple/`);
    const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const status = await engine.wait(await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] }));
      const row = status.rows.find((r) => r.name === 'farmfix-c');
      const resolveLogs = await Promise.all(Object.values(status.resolveLogs).map((p) => readFile(p, 'utf8')));
      const log = resolveLogs.join('\n');
      expect(failed, 'the index fault was never hit').toBeGreaterThanOrEqual(FAILING_REQUESTS);
      expect(row, log.slice(-3000)).toMatchObject({ state: 'built' });
      expect(log).toMatch(/# farm: pip failed because of the network or the index \(.*503.*\): transient, to be retried/);
      // The job's next attempt appends to the same resolve log and gets past the index.
      expect(log.slice(log.indexOf('transient, to be retried'))).toMatch(/# farm: build requirements of farmfix-c==1\.0/);
      expect((await wheelsIn(config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w))).toHaveLength(1);
    } finally {
      await engine.close();
    }
  }, 15 * 60_000);
});
