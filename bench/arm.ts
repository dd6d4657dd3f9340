/**
 * ARM build speed benchmark (issue 13): `npx tsx bench/arm.ts [projects]`
 * (default `lxml,brotli,markupsafe`; a subset such as `brotli,markupsafe`
 * runs in a fraction of the time: lxml under plain qemu takes long). Needs Redis,
 * Docker, qemu, the bootstrap images of glibc-x86_64 and glibc-armv7 and the
 * cross toolchain image (`farm images bootstrap --targets glibc-x86_64,glibc-armv7`),
 * and Debian's mirror (the sdists are fetched from it once, sha256-pinned).
 *
 * Real upstream releases, Debian's orig tarballs: lxml 4.9.2 (C, a minute or
 * more natively: etree.c is 10 MB of generated C), Brotli 1.0.9 (its C
 * library and a C++ extension), MarkupSafe 2.1.2 (small C). Each is built by
 * farm's real build job, in the same run:
 *
 *   native   glibc-x86_64 on this x86_64 host;
 *   qemu     glibc-armv7, everything emulated (`docker.hosts[].crossCompile: false`);
 *   hybrid   glibc-armv7, only the compiler native (the default);
 *   warm     glibc-armv7 hybrid again after a recipe change that does not
 *            touch the sources, with the ccache the hybrid run filled (into
 *            a fresh repository: pip would resolve to the hybrid run's wheel).
 *
 * The figure per package is the build container's run time (Docker's start
 * and die events), without the smoke test and the queue. lxml needs libxml2
 * and libxslt headers: they are installed once into derived images
 * (`farm-bench/arm-<target>:lxml`, kept between runs), outside the timings.
 *
 * Goals: hybrid ≤ 1.5× native (plain qemu is about 4-5×); warm ccache ≥ 2×
 * faster than the first hybrid build.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { parseConfig } from '../src/config/load-config.js';
import { openEngine } from '../src/pipeline/index.js';
import { getTarget } from '../src/targets/parse-targets.js';
import { followContainerEvents } from '../test/support/docker-events.js';
import { dropRedisPrefix } from '../test/support/redis-prefix.js';
import { buildUpstream } from '../test/support/upstream/build-upstream.js';
import { serveStatic } from '../test/support/upstream/static-server.js';

const run = promisify(execFile);
const docker = new Dockerode();
const REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MIRROR = 'http://deb.debian.org/debian/pool/main';
const CACHE_DIR = '/tmp/farm-bench-arm-sdists';
const tag = Math.random().toString(36).slice(2, 8);
const GOALS = { hybridVsNative: 1.5, warmSpeedup: 2 };

/** Upstream releases from Debian's pool, pinned, and the sdist name pip's index gives them. */
const ALL_SDISTS = [
  { project: 'lxml', pool: 'l/lxml/lxml_4.9.2.orig.tar.gz', sdist: 'lxml-4.9.2.tar.gz', sha256: '2455cfaeb7ac70338b3257f41e21f0724f4b5b0c0e7702da67ee6c3640835b67' },
  { project: 'brotli', pool: 'b/brotli/brotli_1.0.9.orig.tar.gz', sdist: 'Brotli-1.0.9.tar.gz', sha256: 'f9e8d81d0405ba66d181529af42a3354f838c939095ff99930da6aa9cdf6fe46' },
  { project: 'markupsafe', pool: 'm/markupsafe/markupsafe_2.1.2.orig.tar.gz', sdist: 'MarkupSafe-2.1.2.tar.gz', sha256: 'abcabc8c2b26036d62d4c746381a6f7cf60aafcc653198ad678306986b09450d' },
] as const;
const chosen = (process.argv[2] ?? ALL_SDISTS.map((s) => s.project).join(',')).split(',');
const SDISTS = ALL_SDISTS.filter((s) => chosen.includes(s.project));
if (SDISTS.length !== chosen.length) throw new Error(`unknown project in ${chosen.join(',')}; known: ${ALL_SDISTS.map((s) => s.project).join(', ')}`);
/** lxml's build needs these headers; Brotli and MarkupSafe need nothing. */
const APT_PACKAGES = ['libxml2-dev', 'libxslt1-dev'];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function fetchSdists(dir: string): Promise<string[]> {
  await mkdir(CACHE_DIR, { recursive: true });
  const files: string[] = [];
  for (const s of SDISTS) {
    const cached = path.join(CACHE_DIR, path.basename(s.pool));
    if (!existsSync(cached)) {
      const response = await fetch(`${MIRROR}/${s.pool}`);
      if (!response.ok) throw new Error(`${MIRROR}/${s.pool}: HTTP ${response.status}`);
      await writeFile(cached, Buffer.from(await response.arrayBuffer()));
    }
    const digest = createHash('sha256').update(await readFile(cached)).digest('hex');
    if (digest !== s.sha256) throw new Error(`${cached}: sha256 ${digest}, expected ${s.sha256}`);
    const named = path.join(dir, s.sdist);
    await copyFile(cached, named);
    files.push(named);
  }
  return files;
}

/** The bootstrap image plus lxml's build headers, committed once (apt under qemu takes minutes). */
async function derivedImage(target: string): Promise<string> {
  const image = `farm-bench/arm-${target}:lxml`;
  if (await docker.getImage(image).inspect().then(() => true, () => false)) return image;
  const platform = getTarget(target).platform;
  let base = `farm/builder-${target}:bootstrap-py3.11`;
  for (const [i, argv] of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', ...APT_PACKAGES], ['apt-get', 'clean']].entries()) {
    const name = `farm-bench-arm-${tag}-${target}-${i}`;
    console.log(`bench/arm: ${image}: ${argv.join(' ')}`);
    await run('docker', ['run', '--name', name, '--platform', platform, '--user', '0', '--network', 'host', '-e', 'DEBIAN_FRONTEND=noninteractive', base, ...argv], { maxBuffer: 64 << 20 });
    await run('docker', ['commit', name, image]);
    await run('docker', ['rm', name]);
    base = image;
  }
  return image;
}

interface Mode {
  label: string;
  target: string;
  /** Extra keys of the host entry. */
  host: string;
  /**
   * Its own repository root: a wheel already in the repository is what pip
   * resolves to (`--find-links`), and the request would then not build.
   */
  root: string;
  /** Same value = same cache volumes (ccache warm). */
  volumes: string;
  /** Bumped to change the recipe without touching the sources. */
  round: number;
}

/** Build-container run time per project, from Docker's events. */
async function buildMode(mode: Mode, dir: string, indexUrl: string, reqFile: string, images: Record<string, string>): Promise<Map<string, number>> {
  const root = path.join(dir, mode.root);
  const recipes = path.join(dir, `recipes-${mode.round}`);
  await mkdir(recipes, { recursive: true });
  // A recipe change that does not touch the sources: a new recipe hash, a rebuild, the same objects for ccache.
  for (const s of SDISTS) await writeFile(path.join(recipes, `${s.project}.yaml`), `env:\n  FARM_BENCH_ROUND: "${mode.round}"\n`);
  const config = parseConfig(
    [
      `root: ${root}/root`,
      `stateDir: ${root}/state`,
      `redis: { url: "${REDIS_URL}" }`,
      `docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host${mode.host} }] }`,
      `upstream: { indexUrl: "${indexUrl}" }`,
      'images: { source: bootstrap }',
      `targets: { ${mode.target}: { image: "${images[mode.target]}" } }`,
      `recipes: { dir: "${recipes}" }`,
      'timeouts: { buildSeconds: 7200, resolveSeconds: 3600, testSeconds: 1800 }',
      `pipeline: { cacheVolumePrefix: "farm-bench-arm-${tag}-${mode.volumes}-" }`,
    ].join('\n'),
    'bench config',
  );
  const prefix = `farm-bench-arm-${tag}-${mode.label}`;
  const started = new Map<string, { job: string; at: number }>();
  const byJob = new Map<string, number[]>();
  const { stop } = await followContainerEvents(docker, ['start', 'die'], (e) => {
    const a = e.Actor?.Attributes ?? {};
    if (e.status === 'start') started.set(e.id, { job: a['farm.job'] ?? '', at: e.timeNano / 1e6 });
    else if (started.has(e.id)) {
      const s = started.get(e.id)!;
      byJob.set(s.job, [...(byJob.get(s.job) ?? []), e.timeNano / 1e6 - s.at]);
    }
  });
  const engine = await openEngine(config, { prefix, workers: { concurrency: 2 } });
  try {
    const status = await engine.wait(await engine.submit({ requirements: [reqFile], targets: [mode.target] }));
    const times = new Map<string, number>();
    for (const row of status.rows) {
      if (row.state !== 'built') throw new Error(`${mode.label}: ${row.name} ${row.state}: ${row.error ?? ''} (log: ${row.logPath ?? '?'})`);
      // The job's first container is the build; the second the smoke test.
      times.set(row.name, byJob.get(row.jobId!)?.[0] ?? NaN);
    }
    return times;
  } finally {
    stop();
    await engine.close();
    await dropRedisPrefix(prefix, REDIS_URL);
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp('/tmp/farm-bench-arm-');
  const upstreamDir = path.join(dir, 'upstream');
  const sdists = await fetchSdists(dir);
  await buildUpstream(upstreamDir, { fixtures: [], extraFiles: sdists });
  const server = await serveStatic(upstreamDir);
  const reqFile = path.join(dir, 'requirements.txt');
  await writeFile(reqFile, SDISTS.map((s) => s.project).join('\n') + '\n');
  const images = { 'glibc-x86_64': await derivedImage('glibc-x86_64'), 'glibc-armv7': await derivedImage('glibc-armv7') };
  const modes: Mode[] = [
    { label: 'native', target: 'glibc-x86_64', host: ', ccache: false', root: 'native', volumes: 'native', round: 1 },
    { label: 'qemu', target: 'glibc-armv7', host: ', ccache: false, crossCompile: false', root: 'qemu', volumes: 'qemu', round: 1 },
    { label: 'hybrid', target: 'glibc-armv7', host: '', root: 'hybrid', volumes: 'hybrid', round: 1 },
    { label: 'warm', target: 'glibc-armv7', host: '', root: 'warm', volumes: 'hybrid', round: 2 },
  ];
  console.log(`bench/arm: ${SDISTS.map((s) => s.sdist).join(', ')} (Debian orig tarballs); modes ${modes.map((m) => m.label).join(', ')}`);
  const results = new Map<string, Map<string, number>>();
  try {
    for (const mode of modes) {
      const t0 = performance.now();
      const times = await buildMode(mode, dir, `${server.url}/simple/`, reqFile, images);
      results.set(mode.label, times);
      // Each mode's figures as soon as it ends: a long run that is cut short still says something.
      const each = SDISTS.map((s) => `${s.project} ${seconds(times.get(s.project) ?? NaN)}`).join(', ');
      console.log(`bench/arm: ${mode.label} done in ${seconds(performance.now() - t0)} (request wall time); build containers: ${each}`);
    }
  } finally {
    await server.close();
    const { Volumes } = await docker.listVolumes();
    for (const v of Volumes ?? []) if (v.Name.startsWith(`farm-bench-arm-${tag}-`)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }

  const total = (label: string) => [...results.get(label)!.values()].reduce((a, b) => a + b, 0);
  const col = (ms: number) => seconds(ms).padStart(9);
  const lines = ['', `build container time per package (s)      native    qemu      hybrid    warm ccache`];
  for (const s of SDISTS) {
    const t = (label: string) => results.get(label)!.get(s.project) ?? NaN;
    lines.push(
      `  ${s.sdist.padEnd(38)}${col(t('native'))} ${col(t('qemu'))} ${col(t('hybrid'))} ${col(t('warm'))}` +
        `   qemu ${(t('qemu') / t('native')).toFixed(2)}×, hybrid ${(t('hybrid') / t('native')).toFixed(2)}× native; warm ${(t('hybrid') / t('warm')).toFixed(2)}× faster`,
    );
  }
  const [native, qemu, hybrid, warm] = ['native', 'qemu', 'hybrid', 'warm'].map(total) as [number, number, number, number];
  lines.push(
    `  ${'all'.padEnd(38)}${col(native)} ${col(qemu)} ${col(hybrid)} ${col(warm)}`,
    '',
    `plain qemu glibc-armv7 vs native glibc-x86_64: ${(qemu / native).toFixed(2)}×`,
    `hybrid glibc-armv7 vs native glibc-x86_64:     ${(hybrid / native).toFixed(2)}× (goal ≤ ${GOALS.hybridVsNative}×: ${hybrid / native <= GOALS.hybridVsNative ? 'met' : 'NOT met'})`,
    `hybrid vs plain qemu:                          ${(qemu / hybrid).toFixed(2)}× faster`,
    `warm ccache vs first hybrid build:             ${(hybrid / warm).toFixed(2)}× faster (goal ≥ ${GOALS.warmSpeedup}×: ${hybrid / warm >= GOALS.warmSpeedup ? 'met' : 'NOT met'})`,
  );
  console.log(lines.join('\n'));
}

await main();
