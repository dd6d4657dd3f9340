/**
 * Build pipeline benchmark (`npx tsx bench/build.ts [targets] [--overhead-only]`, default
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
const ARGS = process.argv.slice(2);
/** `--overhead-only`: just part 4 (to look into the overhead without the long cold runs). */
const OVERHEAD_ONLY = ARGS.includes('--overhead-only');
const TARGETS = (ARGS.find((a) => !a.startsWith('--')) ?? 'glibc-x86_64,glibc-armv7,musl-x86_64').split(',');
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

interface Run {
  indexUrl: string;
  upstreamDir: string;
  dir: string;
  recorder: Awaited<ReturnType<typeof recordProcessTimes>>;
  cleanups: [string, string, string][];
}

/** 1. The hand-made baseline, the targets one after the other, then all at once. */
async function measureBaseline(r: Run): Promise<{ sequential: Record<string, number>; seq: number; par: number }> {
  const sequential: Record<string, number> = {};
  for (const t of TARGETS) sequential[t] = await baselineTarget(t, r.indexUrl, r.dir);
  const seq = Object.values(sequential).reduce((a, b) => a + b, 0);
  const p0 = performance.now();
  await Promise.all(TARGETS.map((t) => baselineTarget(t, r.indexUrl, r.dir)));
  return { sequential, seq, par: performance.now() - p0 };
}

interface Timed {
  ms: number;
  counts: string;
}

/** 2 + 3. farm cold, then warm, then warm after an upstream change. */
async function measureFarm(r: Run): Promise<{ cold: Timed; warm: Timed; resolved: Timed }> {
  const reqFile = path.join(r.dir, 'requirements.txt');
  // farm gets one file for all targets: its recipe skips farmfix-jpeg where it can't build.
  await writeFile(reqFile, `${[...COMMON, 'farmfix-jpeg'].join('\n')}\n`);
  const marker = `${tag}-cold`;
  const farmConfig = await config(path.join(r.dir, 'farm'), r.indexUrl, 2, marker);
  const prefix = `farm-bench-build-${tag}`;
  r.cleanups.push([prefix, farmConfig.pipeline.cacheVolumePrefix, marker]);
  const engine = await openEngine(farmConfig, { prefix, workers: true });
  const request = async (): Promise<Timed & { failed: string[] }> => {
    const t0 = performance.now();
    const status = await engine.wait(await engine.submit({ requirements: [reqFile], targets: TARGETS }));
    const failed = status.rows.filter((row) => row.state === 'failed').map((row) => `${row.name} ${row.target}: ${(row.error ?? '').split('\n')[0]}`);
    return { ms: performance.now() - t0, counts: JSON.stringify(countStates(status.rows)), failed };
  };
  try {
    const cold = await request();
    if (cold.failed.length > 0) throw new Error(`farm cold failed: ${cold.failed.join('; ')}`);
    const warm = await request();
    // Any change to a page of the set invalidates the recorded resolutions.
    await appendFile(path.join(r.upstreamDir, 'simple', 'farmfix-purewheel', 'index.html'), '<!-- changed upstream -->\n');
    const resolved = await request();
    return { cold, warm, resolved };
  } finally {
    await engine.close();
  }
}

/**
 * 4. Overhead per build job: independent glibc-x86_64 builds with free
 * slots; `holders: false` gives every network-off container its own
 * namespace (how farm ran before network holders), to compare side by side.
 */
async function measureOverhead(r: Run, holders = true): Promise<{ overheads: number[]; pickups: number[]; phases: Map<string, number[]> }> {
  const marker = `${tag}-oh${holders ? '' : '-own-netns'}`;
  const ohConfig = await config(path.join(r.dir, `overhead${holders ? '' : '-own-netns'}`), r.indexUrl, 4, marker);
  const prefix = `farm-bench-build-${marker}`;
  r.cleanups.push([prefix, ohConfig.pipeline.cacheVolumePrefix, marker]);
  const ohReq = path.join(r.dir, 'overhead.txt');
  await writeFile(ohReq, 'farmfix-cext\nfarmfix-c\nfarmfix-x86only\nfarmfix-broken\nfarmfix-a\n');
  const engine = await openEngine(ohConfig, { prefix, workers: { concurrency: 4, tuning: { networkHolders: holders } } });
  const overheads: number[] = [];
  const pickups: number[] = [];
  const phases = new Map<string, number[]>();
  try {
    const status = await engine.wait(await engine.submit({ requirements: [ohReq], targets: ['glibc-x86_64'] }));
    const redis = new Redis(REDIS_URL);
    try {
      const keys = new FarmKeys(prefix);
      for (const row of status.rows) {
        if (row.buildDependency === true || row.jobId === undefined || !row.jobId.startsWith('build-')) continue;
        const result = TaskResult.parse(JSON.parse((await redis.get(keys.result(row.jobId)))!));
        const inContainers = r.recorder.perJob.get(`${status.id}/${row.jobId}`) ?? 0;
        overheads.push(result.finishedAt - (result.enqueuedAt ?? result.startedAt) - inContainers);
        pickups.push(result.startedAt - (result.enqueuedAt ?? result.startedAt));
        for (const [phase, ms] of Object.entries(result.timings ?? {})) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
      }
    } finally {
      redis.disconnect();
    }
  } finally {
    await engine.close();
  }
  return { overheads, pickups, phases };
}

type Overhead = Awaited<ReturnType<typeof measureOverhead>>;

/** Both overhead runs: network holders off first, then on (the default), and how they compare. */
async function measureOverheads(r: Run): Promise<string[]> {
  const own = await measureOverhead(r, false);
  const held = await measureOverhead(r, true);
  return [
    'without network holders (a new network namespace per network-off container):',
    ...overheadLines(own),
    'with network holders (farm\'s default):',
    ...overheadLines(held),
    `network holders: median overhead ${Math.round(median(own.overheads))} → ${Math.round(median(held.overheads))} ms ` +
      `(${(median(own.overheads) / median(held.overheads)).toFixed(2)}× less)`,
  ];
}

function overheadLines(o: Overhead): string[] {
  const breakdown = [...o.phases]
    .filter(([phase]) => !phase.endsWith('.run'))
    .map(([phase, ms]) => [phase, median(ms)] as const)
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([phase, ms]) => `${phase} ${Math.round(ms)}`)
    .join(', ');
  const m = median(o.overheads);
  return [
    `overhead per build job:       median ${Math.round(m)} ms over ${o.overheads.length} jobs ` +
      `(${o.overheads.map((x) => Math.round(x)).join(', ')} ms; goal ≤ ${GOALS.overheadMs} ms: ${m <= GOALS.overheadMs ? 'met' : 'NOT met'})`,
    `  of which queue pickup:      median ${Math.round(median(o.pickups))} ms`,
    `  build phases (median ms):   ${breakdown}`,
  ];
}

async function main(): Promise<void> {
  const dir = await mkdtemp('/tmp/farm-bench-build-');
  const upstreamDir = path.join(dir, 'upstream');
  await buildUpstream(upstreamDir);
  const server = await serveStatic(upstreamDir);
  const r: Run = { indexUrl: `${server.url}/simple/`, upstreamDir, dir, recorder: await recordProcessTimes(), cleanups: [] };
  console.log(`bench/build: targets ${TARGETS.join(', ')}; fixture set: ${[...COMMON, 'farmfix-jpeg (glibc)'].join(' | ')}`);
  try {
    if (OVERHEAD_ONLY) {
      console.log(['', ...(await measureOverheads(r))].join('\n'));
      return;
    }
    const baseline = await measureBaseline(r);
    const { cold, warm, resolved } = await measureFarm(r);
    const overhead = await measureOverheads(r);
    const ratio = (a: number, b: number, digits: number) => (a / b).toFixed(digits);
    const verdict = (x: number, goal: number) => (x >= goal ? 'met' : 'NOT met');
    console.log(
      [
        '',
        `baseline, targets one after the other: ${seconds(baseline.seq)}  (${TARGETS.map((t) => `${t} ${seconds(baseline.sequential[t]!)}`).join(', ')})`,
        `baseline, targets at once:            ${seconds(baseline.par)}`,
        `farm cold:                            ${seconds(cold.ms)}  ${cold.counts}`,
        `farm warm:                            ${seconds(warm.ms)}  ${warm.counts}`,
        `farm warm, index changed (pip again): ${seconds(resolved.ms)}  ${resolved.counts}`,
        '',
        `cold vs baseline (at once):   ${ratio(baseline.par, cold.ms, 2)}× faster (goal ≥ ${GOALS.coldSpeedup}×: ${verdict(baseline.par / cold.ms, GOALS.coldSpeedup)})`,
        `cold vs baseline (in turn):   ${ratio(baseline.seq, cold.ms, 2)}× faster`,
        `warm vs baseline (at once):   ${ratio(baseline.par, warm.ms, 1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${verdict(baseline.par / warm.ms, GOALS.warmSpeedup)})`,
        `warm vs baseline (in turn):   ${ratio(baseline.seq, warm.ms, 1)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${verdict(baseline.seq / warm.ms, GOALS.warmSpeedup)})`,
        `warm with pip re-resolving:   ${ratio(baseline.par, resolved.ms, 1)}× (at once), ${ratio(baseline.seq, resolved.ms, 1)}× (in turn) faster`,
        ...overhead,
      ].join('\n'),
    );
  } finally {
    r.recorder.stop();
    await server.close();
    for (const [p, v, m] of r.cleanups) await cleanup(p, v, m);
    await rm(dir, { recursive: true, force: true });
  }
}

function countStates(rows: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

await main();
