/**
 * A worker SIGKILLed in the middle of a build: the request still completes,
 * every wheel is published exactly once, and the dead worker's container is
 * swept. Worker A runs as a child process (src/pipeline/worker/worker-main.ts) so it
 * can really be killed; worker B runs in this process and takes over through
 * BullMQ's stalled-job recovery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, startWorkers, type Engine, type WorkerPool, type WorkerTuning } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import {
  REDIS_URL,
  containersLabelled,
  docker,
  dropPrefix,
  eventually,
  farmConfig,
  randomId,
  recordContainerStarts,
  removeVolumes,
  startUpstream,
  strayFiles,
  wheelsIn,
  type TestUpstream,
} from './helpers.js';
import { requestedRows } from '../../support/request-rows.js';

const WORKER_MAIN = fileURLToPath(new URL('../../../src/pipeline/worker/worker-main.ts', import.meta.url));
const id = randomId();
const prefix = `farm-it-pipeline-${id}`;
const volumePrefix = `farm-pipeline-it-${id}-`;
const workerA = `farm-it-worker-a-${id}`;
const workerB = `farm-it-worker-b-${id}`;
/** Short enough that the test notices a dead worker in seconds, long enough not to misfire on a busy CI box. */
const tuning: WorkerTuning = { lockDurationMs: 10_000, stalledIntervalMs: 4_000, heartbeatTtlSeconds: 6, sweepIntervalMs: 3_000, pollMs: 1_000 };

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let child: ChildProcess | undefined;
let childLog = '';
let poolB: WorkerPool | undefined;
let recorder: Awaited<ReturnType<typeof recordContainerStarts>>;
let killedContainer: string;
let killedJob: string;
let status: RequestStatus;

function startChildWorker(configFile: string): Promise<void> {
  const options = { prefix, targets: ['glibc-x86_64'], workerId: workerA, cacheVolumePrefix: volumePrefix, concurrency: 2, tuning };
  child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN, JSON.stringify(options)], {
    env: { ...process.env, FARM_CONFIG: configFile, REDIS_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (childLog += d.toString()));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(`ready ${workerA}`)) resolve();
    });
    child!.once('exit', (code) => reject(new Error(`worker A exited (${code}) before it was ready:\n${childLog}`)));
  });
}

beforeAll(async () => {
  up = await startUpstream();
  config = farmConfig(up.dir, `${up.server.url}/simple/`);
  const configFile = path.join(up.dir, 'farm.config.yaml');
  await writeFile(
    configFile,
    [
      `root: ${config.root}`,
      `stateDir: ${config.stateDir}`,
      'docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }',
      `upstream: { indexUrl: "${up.server.url}/simple/" }`,
      'images: { source: bootstrap }',
    ].join('\n'),
  );
  recorder = await recordContainerStarts();
  await startChildWorker(configFile);
  engine = await openEngine(config, { prefix });
  const requirements = path.join(up.dir, 'requirements.txt');
  await writeFile(requirements, 'farmfix-cext\nfarmfix-a\n');
  const requestId = await engine.submit({ requirements: [requirements], targets: ['glibc-x86_64'] });

  // Wait for worker A to be inside a build container, then kill it without warning.
  let running: Awaited<ReturnType<typeof containersLabelled>> = [];
  const inBuild = await eventually(async () => {
    running = (await containersLabelled(`farm.worker=${workerA}`)).filter((c) => c.State === 'running' && c.Labels['farm.job']?.startsWith('build-'));
    return running.length > 0;
  }, 5 * 60_000);
  if (!inBuild) throw new Error(`worker A never started a build container:\n${childLog}`);
  killedContainer = running[0]!.Id;
  killedJob = running[0]!.Labels['farm.job']!;
  poolB = await startWorkers(config, { prefix, targets: ['glibc-x86_64'], workerId: workerB, cacheVolumePrefix: volumePrefix, concurrency: 2, tuning });
  child!.kill('SIGKILL');
  status = await engine.wait(requestId, { timeoutMs: 10 * 60_000 });
});

afterAll(async () => {
  recorder?.stop();
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await poolB?.close();
  await engine?.close();
  // Only ours, and only if the test failed before the sweeper got to them.
  for (const c of await containersLabelled(`farm.worker=${workerA}`)) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('a worker killed mid-build', () => {
  it('the request still completes, every package published', () => {
    expect(status.state).toBe('done');
    // When the killed worker also held the request job, the rerun on worker B
    // plans again and reports what this request had already published before
    // the kill as `cached`; which packages those are depends on the moment of
    // the kill. Nothing may fail, and every package must end up in the
    // repository (checked file by file below).
    expect(requestedRows(status).map((r) => r.name)).toEqual(['farmfix-a', 'farmfix-b', 'farmfix-c', 'farmfix-cext']);
    // Build dependencies (setuptools, wheel) come from upstream wheels: mirrored, or cached after the re-plan.
    for (const row of status.rows) expect(row.buildDependency === true ? ['mirrored', 'cached'] : ['built', 'cached'], `${row.name}: ${row.state}`).toContain(row.state);
    expect(status.rows.some((r) => r.state === 'built')).toBe(true);
  });

  it('its job ran again on the other worker', () => {
    const starts = recorder.starts.filter((s) => s.job === killedJob);
    expect(starts.some((s) => s.worker === workerA)).toBe(true);
    expect(starts.some((s) => s.worker === workerB)).toBe(true);
  });

  it('each wheel is published exactly once, nothing partial', async () => {
    expect(await wheelsIn(config.root, 'glibc')).toEqual([
      'farmfix_a-1.0-py3-none-any.whl',
      'farmfix_b-1.0-py3-none-any.whl',
      'farmfix_c-1.0-cp311-cp311-linux_x86_64.whl',
      'farmfix_cext-1.0-cp311-cp311-linux_x86_64.whl',
      'setuptools-65.5.0-py3-none-any.whl',
      'wheel-0.38.4-py3-none-any.whl',
    ]);
    expect(await strayFiles(config.root, 'glibc')).toEqual([]);
  });

  it('no container of the dead worker is left behind', async () => {
    const gone = await eventually(async () => (await containersLabelled(`farm.worker=${workerA}`)).length === 0, 60_000);
    expect(gone).toBe(true);
    await expect(docker.getContainer(killedContainer).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
