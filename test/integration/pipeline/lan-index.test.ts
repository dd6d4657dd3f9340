/**
 * An upstream index on plain http at a LAN address (issue 14, point 19): the
 * usual devpi mirror. pip refuses such an index unless told `--trusted-host`
 * and then finds "versions: none". Here the index listens on the Docker
 * bridge address (172.17.0.1, docker0) and the build containers run on the
 * bridge network, as on a real worker: resolution, the build (with build
 * isolation fetching setuptools from that index) and the smoke test must
 * all succeed. glibc-x86_64 only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { dropPrefix, randomId, REDIS_URL, removeVolumes, wheelsIn } from './helpers.js';
import { rm } from 'node:fs/promises';
import { isBuildBackendWheel, requestedRows } from '../../support/request-rows.js';

const BRIDGE_ADDRESS = '172.17.0.1';
const id = randomId();
const prefix = `farm-it-lan-${id}`;
const volumePrefix = `farm-lan-it-${id}-`;
const dir = `/tmp/farm-lan-it-${id}`;
let server: StaticServer;

beforeAll(async () => {
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-c'] });
  server = await serveStatic(path.join(dir, 'upstream'), { host: BRIDGE_ADDRESS });
  await writeFile(path.join(dir, 'requirements.txt'), 'farmfix-c\n');
});

afterAll(async () => {
  await server?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await rm(dir, { recursive: true, force: true });
});

describe('an http index on the LAN', () => {
  it('is trusted by every pip farm runs: resolved, built and smoke-tested from 172.17.0.1 over the bridge network', async () => {
    const config = parseConfig(
      [
        `root: ${dir}/root`,
        `stateDir: ${dir}/state`,
        `redis: { url: "${REDIS_URL}" }`,
        'docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: bridge }] }',
        `upstream: { indexUrl: "${server.url}/simple/" }`,
        'images: { source: bootstrap }',
      ].join('\n'),
      'LAN index test config',
    );
    const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
    try {
      const status = await engine.wait(await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] }));
      expect(status.error ?? '').not.toMatch(/not a trusted or secure host|from versions: none/);
      expect(status.state, status.error).toBe('done');
      expect(requestedRows(status)).toMatchObject([{ name: 'farmfix-c', state: 'built' }]);
      expect((await wheelsIn(config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w))).toEqual([expect.stringMatching(/^farmfix_c-1\.0-cp311-cp311-\S*x86_64\.whl$/)]);
      // pip in the containers fetched the index pages and the build requirements over the bridge.
      expect(server.requests).toEqual(expect.arrayContaining(['/simple/farmfix-c/', '/simple/setuptools/']));
    } finally {
      await engine.close();
    }
  }, 15 * 60_000);
});
