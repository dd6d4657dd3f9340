/**
 * A hostile build can't make the worker read host files (issue 14, point 7).
 * farmfix-planter's setup.py swaps the driver's output directory
 * `/out/final` for a symlink to `/tmp/farmfix-planted` while pip builds it.
 * On the host that path holds a wheel of the host's own (a stand-in for any
 * file root can read). A worker that follows the symlink publishes the
 * host's bytes; farm must refuse the output instead. glibc-x86_64 only.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildUpstream, FIXTURE_PACKAGES_DIR } from '../../support/upstream/build-upstream.js';
import { makePureWheel } from '../../support/upstream/make-wheel.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { dropPrefix, farmConfig, randomId, removeVolumes, wheelsIn } from './helpers.js';

const PLANTED = '/tmp/farmfix-planted';
const id = randomId();
const prefix = `farm-it-outputs-${id}`;
const volumePrefix = `farm-outputs-it-${id}-`;
const dir = `/tmp/farm-outputs-it-${id}`;
let server: StaticServer;

beforeAll(async () => {
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-planter'] });
  server = await serveStatic(path.join(dir, 'upstream'));
  // The host's file the symlink points at: a valid wheel of the same name, other bytes.
  const hostSource = path.join(dir, 'host-source');
  await cp(path.join(FIXTURE_PACKAGES_DIR, 'farmfix-planter'), hostSource, { recursive: true });
  await writeFile(path.join(hostSource, 'farmfix_planter', '__init__.py'), 'SOURCE = "the host\'s own file"\n');
  await rm(PLANTED, { recursive: true, force: true });
  await mkdir(PLANTED);
  await makePureWheel(hostSource, PLANTED);
  await writeFile(path.join(dir, 'requirements.txt'), 'farmfix-planter\n');
});

afterAll(async () => {
  await server?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await rm(PLANTED, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('container outputs', () => {
  it('a symlink planted in /out is refused, never followed: the host file is not published', async () => {
    const config = farmConfig(path.join(dir, 'farm'), `${server.url}/simple/`);
    const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const status = await engine.wait(await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] }));
      const row = status.rows.find((r) => r.name === 'farmfix-planter');
      // Its build dependencies (setuptools, wheel) are mirrored into the repository; no farmfix-planter wheel is.
      const published = (await wheelsIn(config.root, 'glibc')).filter((f) => f.startsWith('farmfix_planter'));
      const log = row?.logPath === undefined ? '' : await readFile(row.logPath, 'utf8');
      expect(published, `the host file was published (row: ${JSON.stringify(row)})`).toEqual([]);
      expect(row).toMatchObject({ state: 'failed' });
      expect(log).toMatch(/container output final: a symlink, not a directory; refused/);
    } finally {
      await engine.close();
    }
  }, 15 * 60_000);
});
