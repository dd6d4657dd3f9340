/**
 * Build pipeline benchmark (`npx tsx bench/build.ts [targets]`, default
 * glibc-x86_64,glibc-armv7,musl-x86_64; needs Redis, Docker and the bootstrap
 * images). The fixture set (test/fixtures/packages) has a dependency chain,
 * a C extension, a package only some targets get, an upstream wheel, a
 * build-dependency chain (farmfix-usehelper and farmfix-usehelper2 need the
 * compiled farmfix-helper to build) and a package that needs a recipe's
 * system packages (farmfix-jpeg: libjpeg, glibc targets). In one run it times:
 *
 *   1. the hand-made baseline: one container per target that installs every
 *      system package the set needs, then runs `pip wheel -r` (build
 *      dependencies compiled inside each isolated build, as pip does); the
 *      targets one after the other and all at once;
 *   2. farm cold: empty repositories and caches, and derived images prepared
 *      from scratch (the bench's recipes carry a per-run marker), one request
 *      over all targets;
 *   3. farm warm: the same request again (everything is in the repositories,
 *      the recorded resolutions still hold: no container runs);
 *   3b. farm warm after an upstream change: one index page changed, so pip
 *      resolves again in a container per target, and everything is cached;
 *   4. orchestration overhead per build job: independent glibc-x86_64 builds
 *      with free slots; per job, the time from enqueue to result minus the
 *      time processes ran inside its containers (Docker's start/die events),
 *      with where that overhead went (the build's own phase timings).
 *
 * Goals (issues 5 and 12): farm cold ≥ 1.5× faster than the baseline run all
 * at once; warm ≥ 20× faster than the baseline; overhead ≤ 0.5 s median per
 * build job.
 */
import { followContainerEvents } from '../test/support/docker-events.js';
import { dropRedisPrefix } from '../test/support/redis-prefix.js';
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
const BASELINE_DRIVER = fileURLToPath(new URL('./support/baseline.py', import.meta.url));
const tag = Math.random().toString(36).slice(2, 8);
const GOALS = { coldSpeedup: 1.5, warmSpeedup: 20, overheadMs: 500 };

/** The set, per target: farmfix-jpeg needs apt, which the musl bootstrap image lacks. */
const COMMON = ['farmfix-a', 'farmfix-cext', 'farmfix-x86only ; platform_machine != "armv7l"', 'farmfix-purewheel', 'farmfix-usehelper', 'farmfix-usehelper2'];
const requirementsFor = (target: string) => [...COMMON, ...(target.startsWith('glibc') ? ['farmfix-jpeg'] : [])];
/** What the set's recipes install, for the baseline (glibc targets). */
const SYSTEM_PACKAGES = ['libjpeg62-turbo-dev'];
/** What the set's recipes set, for the baseline. */
const RECIPE_ENV = { FARMFIX_HELPER_RECIPE: '1' };

/** The bench's recipes; `marker` makes farm's derived images this run's own (farm cold prepares them). */
function recipes(marker: string): Record<string, string> {
  return {
    'farmfix-helper.yaml': 'env:\n  FARMFIX_HELPER_RECIPE: "1"\n',
    'farmfix-jpeg.yaml': [
      'packages:',
      '  apt: [libjpeg62-turbo-dev]',
      'before:',
      `  - ["true", "farm-bench-run-${marker}"]`,
      'importNames: [farmfix_jpeg, farmfix_jpeg._jpeg]',
      'overrides:',
      '  - targets: [musl-x86_64, musl-aarch64]',
      '    skip: { reason: "the musl bootstrap image has no package manager for libjpeg" }',
      '',
    ].join('\n'),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Time processes ran in each `request/job`'s containers: container start → die,
 * except for the preparation of derived images, whose processes are the
 * `docker exec` steps (exec_start → exec_die).
 */
async function recordProcessTimes(): Promise<{ perJob: Map<string, number>; stop(): void }> {
  const perJob = new Map<string, number>();
  const started = new Map<string, { at: number; key: string; prepare: boolean }>();
  const execs = new Map<string, number>();
  const add = (key: string, ms: number) => perJob.set(key, (perJob.get(key) ?? 0) + ms);
  const { stop } = await followContainerEvents(docker, ['start', 'die', 'exec_start', 'exec_die'], (e) => {
    const a = e.Actor?.Attributes ?? {};
    const at = e.timeNano / 1e6;
    if (e.status === 'start') {
      // Keyed by request too: the same build id comes back in later requests.
      started.set(e.id, { at, key: `${a['farm.request'] ?? ''}/${a['farm.job'] ?? ''}`, prepare: a['farm.step'] === 'prepare' });
    } else if (e.status === 'die') {
      const s = started.get(e.id);
      if (s !== undefined && !s.prepare) add(s.key, at - s.at);
    } else if (e.status.startsWith('exec_start')) {
      execs.set(e.id, at);
    } else if (e.status.startsWith('exec_die')) {
      const s = started.get(e.id);
      const t = execs.get(e.id);
      if (s?.prepare === true && t !== undefined) add(s.key, at - t);
    }
  });
  return { perJob, stop };
}

async function baselineTarget(target: string, indexUrl: string, dir: string): Promise<number> {
  const reqFile = path.join(dir, `baseline-${target}.txt`);
  await writeFile(reqFile, `${requirementsFor(target).join('\n')}\n`);
  const config = {
    python: interpreterPath('3.11'),
    packages: target.startsWith('glibc') ? SYSTEM_PACKAGES : [],
    pip: ['--no-cache-dir', '--disable-pip-version-check', '--progress-bar', 'off', '--wheel-dir', '/tmp/wheels', '--index-url', indexUrl, '-r', '/in/requirements.txt'],
  };
  const t0 = performance.now();
  await run(
    'docker',
    [
      'run', '--rm', '--name', `farm-bench-build-${tag}-${target}-${Math.random().toString(36).slice(2, 6)}`,
      '--network', 'host', '--user', '0:0', '-e', 'HOME=/tmp', '--platform', getTarget(target).platform,
      ...Object.entries(RECIPE_ENV).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      '-v', `${reqFile}:/in/requirements.txt:ro`, '-v', `${BASELINE_DRIVER}:/in/baseline.py:ro`,
      `farm/builder-${target}:bootstrap-py3.11`,
      interpreterPath('3.11'), '/in/baseline.py', JSON.stringify(config),
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 2 * 60 * 60_000 },
  );
  return performance.now() - t0;
}

async function config(dir: string, indexUrl: string, concurrency: number, marker: string): Promise<FarmConfig> {
  const recipesDir = path.join(dir, 'recipes');
  await mkdir(recipesDir, { recursive: true });
  for (const [file, text] of Object.entries(recipes(marker))) await writeFile(path.join(recipesDir, file), text);
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
      `recipes: { dir: ${recipesDir} }`,
    ].join('\n'),
    'bench config',
  );
}

async function cleanup(prefix: string, volumePrefix: string, marker: string): Promise<void> {
  await dropRedisPrefix(prefix, REDIS_URL);
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) if (v.Name.startsWith(volumePrefix)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
  // The derived images of this run's recipes (their steps carry the marker).
  for (const image of await docker.listImages({ filters: { label: ['farm.derived.key'] } })) {
    if ((image.Labels?.['farm.derived.steps'] ?? '').includes(`farm-bench-run-${marker}`)) {
      await docker.getImage(image.Id).remove({ force: true }).catch(() => {});
    }
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp('/tmp/farm-bench-build-');
  const upstreamDir = path.join(dir, 'upstream');
  await buildUpstream(upstreamDir);
  const server = await serveStatic(upstreamDir);
  const indexUrl = `${server.url}/simple/`;
  const reqFile = path.join(dir, 'requirements.txt');
  // farm gets one file for all targets: its recipe skips farmfix-jpeg where it can't build.
  await writeFile(reqFile, `${[...COMMON, 'farmfix-jpeg'].join('\n')}\n`);
  const recorder = await recordProcessTimes();
  const cleanups: [string, string, string][] = [];
  console.log(`bench/build: targets ${TARGETS.join(', ')}; fixture set: ${[...COMMON, 'farmfix-jpeg (glibc)'].join(' | ')}`);

  try {
    // 1. Baseline.
    const sequential: Record<string, number> = {};
    for (const t of TARGETS) sequential[t] = await baselineTarget(t, indexUrl, dir);
    const baselineSeq = Object.values(sequential).reduce((a, b) => a + b, 0);
    const p0 = performance.now();
    await Promise.all(TARGETS.map((t) => baselineTarget(t, indexUrl, dir)));
    const baselinePar = performance.now() - p0;

    // 2 + 3. farm cold, then warm.
    const farmDir = path.join(dir, 'farm');
    const marker = `${tag}-cold`;
    const farmConfig = await config(farmDir, indexUrl, 2, marker);
    const prefix = `farm-bench-build-${tag}`;
    cleanups.push([prefix, farmConfig.pipeline.cacheVolumePrefix, marker]);
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
      coldCounts = JSON.stringify(countStates(coldStatus.rows));
      const failed = coldStatus.rows.filter((r) => r.state === 'failed');
      if (failed.length > 0) throw new Error(`farm cold failed: ${failed.map((r) => `${r.name} ${r.target}: ${(r.error ?? '').split('\n')[0]}`).join('; ')}`);
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
    const ohMarker = `${tag}-oh`;
    const ohConfig = await config(ohDir, indexUrl, 4, ohMarker);
    const ohPrefix = `farm-bench-build-${tag}-oh`;
    cleanups.push([ohPrefix, ohConfig.pipeline.cacheVolumePrefix, ohMarker]);
    const ohReq = path.join(dir, 'overhead.txt');
    await writeFile(ohReq, 'farmfix-cext\nfarmfix-c\nfarmfix-x86only\nfarmfix-broken\nfarmfix-a\n');
    const ohEngine = await openEngine(ohConfig, { prefix: ohPrefix, workers: { concurrency: 4 } });
    const overheads: number[] = [];
    const queueLatencies: number[] = [];
    const phases = new Map<string, number[]>();
    try {
      const status = await ohEngine.wait(await ohEngine.submit({ requirements: [ohReq], targets: ['glibc-x86_64'] }));
      const redis = new Redis(REDIS_URL);
      const keys = new FarmKeys(ohPrefix);
      for (const row of status.rows) {
        if (row.buildDependency === true || row.jobId === undefined || !row.jobId.startsWith('build-')) continue;
        const text = await redis.get(keys.result(row.jobId));
        const result = TaskResult.parse(JSON.parse(text!));
        const inContainers = recorder.perJob.get(`${status.id}/${row.jobId}`) ?? 0;
        overheads.push(result.finishedAt - (result.enqueuedAt ?? result.startedAt) - inContainers);
        queueLatencies.push(result.startedAt - (result.enqueuedAt ?? result.startedAt));
        for (const [phase, ms] of Object.entries(result.timings ?? {})) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
      }
      redis.disconnect();
    } finally {
      await ohEngine.close();
    }

    const breakdown = [...phases]
      .filter(([phase]) => !phase.endsWith('.run'))
      .map(([phase, ms]) => [phase, median(ms)] as const)
      .filter(([, ms]) => ms >= 1)
      .sort((a, b) => b[1] - a[1])
      .map(([phase, ms]) => `${phase} ${Math.round(ms)}`)
      .join(', ');
    const lines = [
      '',
      `baseline, targets one after the other: ${seconds(baselineSeq)}  (${TARGETS.map((t) => `${t} ${seconds(sequential[t]!)}`).join(', ')})`,
      `baseline, targets at once:            ${seconds(baselinePar)}`,
      `farm cold:                            ${seconds(cold)}  ${coldCounts}`,
      `farm warm:                            ${seconds(warm)}  ${warmCounts}`,
      `farm warm, index changed (pip again): ${seconds(warmResolved)}  ${warmResolvedCounts}`,
      '',
      `cold vs baseline (at once):   ${(baselinePar / cold).toFixed(2)}× faster (goal ≥ ${GOALS.coldSpeedup}×: ${baselinePar / cold >= GOALS.coldSpeedup ? 'met' : 'NOT met'})`,
      `cold vs baseline (in turn):   ${(baselineSeq / cold).toFixed(2)}× faster`,
      `warm vs baseline (at once):   ${(baselinePar / warm).toFixed(1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${baselinePar / warm >= GOALS.warmSpeedup ? 'met' : 'NOT met'})`,
      `warm vs baseline (in turn):   ${(baselineSeq / warm).toFixed(1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${baselineSeq / warm >= GOALS.warmSpeedup ? 'met' : 'NOT met'})`,
      `warm with pip re-resolving:   ${(baselinePar / warmResolved).toFixed(1)}× (at once), ${(baselineSeq / warmResolved).toFixed(1)}× (in turn) faster`,
      `overhead per build job:       median ${Math.round(median(overheads))} ms over ${overheads.length} jobs ` +
        `(${overheads.map((o) => Math.round(o)).join(', ')} ms; goal ≤ ${GOALS.overheadMs} ms: ${median(overheads) <= GOALS.overheadMs ? 'met' : 'NOT met'})`,
      `  of which queue pickup:      median ${Math.round(median(queueLatencies))} ms`,
      `  build phases (median ms):   ${breakdown}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    recorder.stop();
    await server.close();
    for (const [p, v, m] of cleanups) await cleanup(p, v, m);
    await rm(dir, { recursive: true, force: true });
  }
}

function countStates(rows: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

await main();
