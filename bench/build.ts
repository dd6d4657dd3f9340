/**
 * Build pipeline benchmark (`npx tsx bench/build.ts [targets]`, default
 * glibc-x86_64,glibc-armv7,musl-x86_64; needs Redis, Docker and the bootstrap
 * images). On the fixture set (test/fixtures/packages, without the package
 * that does not compile) it times, in the same run:
 *
 *   1. the hand-made baseline: one container per target running
 *      `pip wheel -r requirements.txt` (no cache), the targets one after the
 *      other and all at once;
 *   2. farm cold: empty repositories and caches, one request over all targets;
 *   3. farm warm: the same request again (everything is in the repositories,
 *      and the recorded resolutions still hold: no container runs);
 *   3b. farm warm after an upstream change: one index page changed, so pip
 *      resolves again in a container per target, and everything is cached;
 *   4. orchestration overhead per build job: six glibc-x86_64 builds
 *      with free slots; per job, the time from enqueue to result minus
 *      the time processes ran inside its containers (Docker's start/die
 *      events): queue, download, container create/start/remove, log, collect.
 *
 * Goals (issue 5): warm ≥ 20× faster than the baseline; cold no slower than
 * the baseline; overhead ≤ 0.5 s median per build job.
 */
import { followContainerEvents } from '../test/support/docker-events.js';
import { dropRedisPrefix } from '../test/support/redis-prefix.js';
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/config/load-config.js';
import type { FarmConfig } from '../src/config/schema.js';
import { interpreterPath } from '../src/images/image-names.js';
import { TaskResult } from '../src/pipeline/contract/job-data.js';
import { openEngine } from '../src/pipeline/index.js';
import { FarmKeys } from '../src/pipeline/store/keys.js';
import { getTarget } from '../src/targets/parse-targets.js';
import { buildUpstream } from '../test/support/upstream/build-upstream.js';
import { serveStatic } from '../test/support/upstream/static-server.js';

const run = promisify(execFile);
const docker = new Dockerode();
const REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const TARGETS = (process.argv[2] ?? 'glibc-x86_64,glibc-armv7,musl-x86_64').split(',');
const REQUIREMENTS = ['farmfix-a', 'farmfix-cext', 'farmfix-x86only ; platform_machine != "armv7l"', 'farmfix-purewheel'].join('\n') + '\n';
const tag = Math.random().toString(36).slice(2, 8);
const GOALS = { warmSpeedup: 20, overheadMs: 500 };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Container process run times (Docker start → die) per `request/job`, recorded from Docker's events. */
async function recordProcessTimes(): Promise<{ perJob: Map<string, number>; stop(): void }> {
  const perJob = new Map<string, number>();
  const started = new Map<string, number>();
  const { stop } = await followContainerEvents(docker, ['start', 'die'], (e) => {
    if (e.status === 'start') started.set(e.id, e.timeNano / 1e6);
    else if (started.has(e.id)) {
      // Keyed by request too: the same build id comes back in later requests.
      const a = e.Actor?.Attributes ?? {};
      const key = `${a['farm.request'] ?? ''}/${a['farm.job'] ?? ''}`;
      perJob.set(key, (perJob.get(key) ?? 0) + e.timeNano / 1e6 - started.get(e.id)!);
    }
  });
  return { perJob, stop };
}

async function baselineTarget(target: string, indexUrl: string, reqFile: string): Promise<number> {
  const t0 = performance.now();
  await run(
    'docker',
    [
      'run', '--rm', '--name', `farm-bench-build-${tag}-${target}-${Math.random().toString(36).slice(2, 6)}`,
      '--network', 'host', '--user', '1000:1000', '-e', 'HOME=/tmp', '--platform', getTarget(target).platform,
      '-v', `${reqFile}:/in/requirements.txt:ro`,
      `farm/builder-${target}:bootstrap-py3.11`,
      interpreterPath('3.11'), '-m', 'pip', 'wheel', '--no-cache-dir', '--disable-pip-version-check', '--progress-bar', 'off',
      '--wheel-dir', '/tmp/wheels', '--index-url', indexUrl, '-r', '/in/requirements.txt',
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 60 * 60_000 },
  );
  return performance.now() - t0;
}

function config(dir: string, indexUrl: string, concurrency: number): FarmConfig {
  return parseConfig(
    [
      `root: ${dir}/root`,
      `stateDir: ${dir}/state`,
      `redis: { url: "${REDIS_URL}" }`,
      `docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: ${concurrency}, network: host }] }`,
      `upstream: { indexUrl: "${indexUrl}" }`,
      'images: { source: bootstrap }',
      `concurrency: { builds: ${concurrency} }`,
      `pipeline: { cacheVolumePrefix: "farm-bench-build-${tag}-${path.basename(dir)}-" }`,
    ].join('\n'),
    'bench config',
  );
}

async function cleanup(prefix: string, volumePrefix: string): Promise<void> {
  await dropRedisPrefix(prefix, REDIS_URL);
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) if (v.Name.startsWith(volumePrefix)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
}

async function main(): Promise<void> {
  const dir = await mkdtemp('/tmp/farm-bench-build-');
  const upstreamDir = path.join(dir, 'upstream');
  await buildUpstream(upstreamDir);
  const server = await serveStatic(upstreamDir);
  const indexUrl = `${server.url}/simple/`;
  const reqFile = path.join(dir, 'requirements.txt');
  await writeFile(reqFile, REQUIREMENTS);
  const recorder = await recordProcessTimes();
  const prefixes: [string, string][] = [];
  console.log(`bench/build: targets ${TARGETS.join(', ')}; fixture set: ${REQUIREMENTS.trim().split('\n').join(' | ')}`);

  try {
    // 1. Baseline.
    const sequential: Record<string, number> = {};
    for (const t of TARGETS) sequential[t] = await baselineTarget(t, indexUrl, reqFile);
    const baselineSeq = Object.values(sequential).reduce((a, b) => a + b, 0);
    const p0 = performance.now();
    await Promise.all(TARGETS.map((t) => baselineTarget(t, indexUrl, reqFile)));
    const baselinePar = performance.now() - p0;

    // 2 + 3. farm cold, then warm.
    const farmDir = path.join(dir, 'farm');
    const farmConfig = config(farmDir, indexUrl, 2);
    const prefix = `farm-bench-build-${tag}`;
    prefixes.push([prefix, farmConfig.pipeline.cacheVolumePrefix]);
    const engine = await openEngine(farmConfig, { prefix, workers: true });
    let cold: number;
    let warm: number;
    let warmResolved: number;
    let coldCounts: string;
    let warmCounts: string;
    let warmResolvedCounts: string;
    try {
      const c0 = performance.now();
      const coldStatus = await engine.wait(await engine.submit({ requirements: [reqFile], targets: TARGETS }));
      cold = performance.now() - c0;
      coldCounts = JSON.stringify(Object.fromEntries(Object.entries(countStates(coldStatus.rows))));
      const w0 = performance.now();
      const warmStatus = await engine.wait(await engine.submit({ requirements: [reqFile], targets: TARGETS }));
      warm = performance.now() - w0;
      warmCounts = JSON.stringify(countStates(warmStatus.rows));
      // Any change to a page of the set invalidates the recorded resolutions.
      await appendFile(path.join(upstreamDir, 'simple', 'farmfix-purewheel', 'index.html'), '<!-- changed upstream -->\n');
      const r0 = performance.now();
      const resolvedStatus = await engine.wait(await engine.submit({ requirements: [reqFile], targets: TARGETS }));
      warmResolved = performance.now() - r0;
      warmResolvedCounts = JSON.stringify(countStates(resolvedStatus.rows));
    } finally {
      await engine.close();
    }

    // 4. Overhead per build job: independent builds, free slots.
    const ohDir = path.join(dir, 'overhead');
    const ohConfig = config(ohDir, indexUrl, 4);
    const ohPrefix = `farm-bench-build-${tag}-oh`;
    prefixes.push([ohPrefix, ohConfig.pipeline.cacheVolumePrefix]);
    const ohReq = path.join(dir, 'overhead.txt');
    await writeFile(ohReq, 'farmfix-cext\nfarmfix-c\nfarmfix-x86only\nfarmfix-broken\nfarmfix-a\n');
    const ohEngine = await openEngine(ohConfig, { prefix: ohPrefix, workers: { concurrency: 4 } });
    const overheads: number[] = [];
    const queueLatencies: number[] = [];
    try {
      const status = await ohEngine.wait(await ohEngine.submit({ requirements: [ohReq], targets: ['glibc-x86_64'] }));
      const redis = new Redis(REDIS_URL);
      const keys = new FarmKeys(ohPrefix);
      for (const row of status.rows) {
        const text = await redis.get(keys.result(row.jobId!));
        const result = TaskResult.parse(JSON.parse(text!));
        const inContainers = recorder.perJob.get(`${status.id}/${row.jobId!}`) ?? 0;
        overheads.push(result.finishedAt - (result.enqueuedAt ?? result.startedAt) - inContainers);
        queueLatencies.push(result.startedAt - (result.enqueuedAt ?? result.startedAt));
      }
      redis.disconnect();
    } finally {
      await ohEngine.close();
    }

    const lines = [
      '',
      `baseline, targets one after the other: ${seconds(baselineSeq)}  (${TARGETS.map((t) => `${t} ${seconds(sequential[t]!)}`).join(', ')})`,
      `baseline, targets at once:            ${seconds(baselinePar)}`,
      `farm cold:                            ${seconds(cold)}  ${coldCounts}`,
      `farm warm:                            ${seconds(warm)}  ${warmCounts}`,
      `farm warm, index changed (pip again): ${seconds(warmResolved)}  ${warmResolvedCounts}`,
      '',
      `cold vs baseline (at once):   ${(baselinePar / cold).toFixed(2)}× ${cold <= baselinePar ? 'faster or equal (goal met)' : 'slower (goal: no slower)'}`,
      `cold vs baseline (in turn):   ${(baselineSeq / cold).toFixed(2)}× ${cold <= baselineSeq ? 'faster or equal (goal met)' : 'slower (goal: no slower)'}`,
      `warm vs baseline (at once):   ${(baselinePar / warm).toFixed(1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${baselinePar / warm >= GOALS.warmSpeedup ? 'met' : 'NOT met'})`,
      `warm vs baseline (in turn):   ${(baselineSeq / warm).toFixed(1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${baselineSeq / warm >= GOALS.warmSpeedup ? 'met' : 'NOT met'})`,
      `warm with pip re-resolving:   ${(baselinePar / warmResolved).toFixed(1)}× (at once), ${(baselineSeq / warmResolved).toFixed(1)}× (in turn) faster`,
      `overhead per build job:       median ${Math.round(median(overheads))} ms over ${overheads.length} jobs ` +
        `(${overheads.map((o) => Math.round(o)).join(', ')} ms; goal ≤ ${GOALS.overheadMs} ms: ${median(overheads) <= GOALS.overheadMs ? 'met' : 'NOT met'})`,
      `  of which queue pickup:      median ${Math.round(median(queueLatencies))} ms`,
    ];
    console.log(lines.join('\n'));
  } finally {
    recorder.stop();
    await server.close();
    for (const [p, v] of prefixes) await cleanup(p, v);
    await rm(dir, { recursive: true, force: true });
  }
}

function countStates(rows: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

await main();
