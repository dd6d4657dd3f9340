/**
 * Nightly rebuilds, shortened to a cron that fires every few seconds, with
 * the real pipeline (Redis, Docker, bootstrap image, pip) and the fixture
 * upstream index: the first run builds the set; after a new release appears
 * upstream, the next run builds only that release; after the API and the
 * workers restart, the schedule (kept in Redis) still fires.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { listSchedules, pauseSchedule, resumeSchedule } from '../../../src/schedule/schedules.js';
import { openTriggerQueue, type TriggerQueue } from '../../../src/tracked/trigger-queue.js';
import { buildUpstream, FIXTURE_PACKAGES_DIR, writeSimpleIndex, type Upstream } from '../../support/upstream/build-upstream.js';
import { makeSdist } from '../../support/upstream/make-sdist.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { LogCapture, REDIS_URL, dropPrefix, eventually, testConfig, testPrefix } from '../api/helpers.js';
import { requestedRows } from '../../support/request-rows.js';

const TARGET = 'glibc-x86_64';
const IMAGE = `farm/builder-${TARGET}:bootstrap-py3.11`;
const SET = 'nightly';
const prefix = testPrefix('nightly');
const volumePrefix = `${prefix}-cache-`;

let dir: string;
let upstream: Upstream;
let server: StaticServer;
let config: FarmConfig;
let engine: Engine | undefined;
let api: RunningApi | undefined;
let triggers: TriggerQueue;
const seen = new Set<string>();

async function start(syncSchedules: boolean): Promise<void> {
  engine = await openEngine(config, { redisUrl: REDIS_URL, prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  api = await startApi(config, { engine, redisUrl: REDIS_URL, prefix, host: '127.0.0.1', port: 0, env: {}, logStream: new LogCapture(), syncSchedules });
}

async function stop(): Promise<void> {
  await api?.close();
  await engine?.close();
  api = undefined;
  engine = undefined;
}

/** The oldest scheduled request of the set not seen yet; marks it seen. */
async function nextScheduledRequest(): Promise<string> {
  const id = await eventually(
    async () => {
      const fresh = (await engine!.list({ limit: 100 }))
        .filter((r) => r.origin === 'schedule' && !seen.has(r.id))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return fresh[0]?.id;
    },
    60_000,
    'the schedule to fire',
    500,
  );
  seen.add(id);
  return id;
}

/** Waits for every scheduled request so far (a run may fire twice before the pause lands). */
async function settle(): Promise<void> {
  for (const r of await engine!.list({ limit: 100 })) {
    if (r.origin === 'schedule') {
      seen.add(r.id);
      await engine!.wait(r.id, { timeoutMs: 15 * 60_000 });
    }
  }
}

const rowsOf = (status: RequestStatus) => requestedRows(status).map((r) => `${r.name} ${r.version} ${r.state}`).sort();

beforeAll(async () => {
  await new Dockerode()
    .getImage(IMAGE)
    .inspect()
    .catch(() => {
      throw new Error(`${IMAGE} is missing: run farm images bootstrap --targets ${TARGET}`);
    });
  dir = await mkdtemp(path.join(tmpdir(), 'farm-nightly-it-'));
  upstream = await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-a', 'farmfix-b', 'farmfix-c', 'farmfix-purewheel'] });
  server = await serveStatic(upstream.dir);
  await writeFile(path.join(dir, 'tracked.txt'), 'farmfix-a\nfarmfix-purewheel\n');
  config = testConfig(`
root: ${dir}/root
stateDir: ${dir}/state
redis: { url: "${REDIS_URL}" }
docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }
upstream: { indexUrl: "${server.url}/simple/" }
images: { source: bootstrap }
python: ["3.11"]
sets:
  - name: ${SET}
    source: { kind: file, path: ${dir}/tracked.txt }
    targets: [${TARGET}]
    schedule: { cron: "*/4 * * * * *", tz: UTC }
`);
  triggers = await openTriggerQueue(config, { redisUrl: REDIS_URL, prefix });
  await start(true);
});

afterAll(async () => {
  await triggers?.queue.removeJobScheduler(`set:${SET}`).catch(() => {});
  await stop();
  await triggers?.close();
  await server?.close();
  await dropPrefix(prefix);
  const docker = new Dockerode();
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) if (v.Name.startsWith(volumePrefix)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a tracked set on a short cron', () => {
  it('first run: builds the fixture set', async () => {
    const first = await nextScheduledRequest();
    await pauseSchedule(config, triggers, SET);
    const status = await engine!.wait(first, { timeoutMs: 15 * 60_000 });
    await settle();
    expect(status.state).toBe('done');
    expect(status.metadata).toMatchObject({ set: SET });
    expect(rowsOf(status)).toEqual([
      'farmfix-a 1.0 built',
      'farmfix-b 1.0 built',
      'farmfix-c 1.0 built',
      'farmfix-purewheel 1.0 mirrored',
    ]);
  });

  it('after a new release appears upstream, the next run builds only that release', async () => {
    // farmfix-b 1.1: the fixture's sources with a bumped version, added to the index.
    const src = path.join(dir, 'farmfix-b-1.1');
    await cp(path.join(FIXTURE_PACKAGES_DIR, 'farmfix-b'), src, { recursive: true });
    const pyproject = path.join(src, 'pyproject.toml');
    await writeFile(pyproject, (await readFile(pyproject, 'utf8')).replace(/^version = "1\.0"$/m, 'version = "1.1"'));
    const made = await makeSdist(src, path.join(upstream.dir, 'files'));
    expect(made.filename).toBe('farmfix_b-1.1.tar.gz');
    await writeSimpleIndex(upstream.dir, [...upstream.files, { project: 'farmfix-b', filename: made.filename, sha256: made.sha256 }]);

    await resumeSchedule(config, triggers, SET);
    const next = await nextScheduledRequest();
    await pauseSchedule(config, triggers, SET);
    const status = await engine!.wait(next, { timeoutMs: 15 * 60_000 });
    await settle();
    expect(status.state).toBe('done');
    expect(rowsOf(status)).toEqual([
      'farmfix-a 1.0 cached',
      'farmfix-b 1.1 built',
      'farmfix-c 1.0 cached',
      'farmfix-purewheel 1.0 cached',
    ]);
  });

  it('after the API and the workers restart, the schedule still fires', async () => {
    await resumeSchedule(config, triggers, SET);
    const before = (await listSchedules(config, triggers)).find((s) => s.set === SET);
    expect(before).toMatchObject({ paused: false, configured: true });
    await stop();
    // Down for longer than one period: the scheduler lives in Redis, not in a process.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await triggers.queue.getJobScheduler(`set:${SET}`)).toMatchObject({ pattern: '*/4 * * * * *' });
    // No schedule sync on this start: nothing re-creates the scheduler.
    await start(false);
    const after = await nextScheduledRequest();
    await pauseSchedule(config, triggers, SET);
    const status = await engine!.wait(after, { timeoutMs: 15 * 60_000 });
    await settle();
    expect(status.state).toBe('done');
    expect(status.rows.every((r) => r.state === 'cached')).toBe(true);
    expect(rowsOf(status)).toContain('farmfix-b 1.1 cached');
  });
});
