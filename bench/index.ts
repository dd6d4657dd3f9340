/**
 * Index regeneration benchmark (`npx tsx bench/index.ts [projects] [wheelsPerProject]`).
 *
 * Builds a synthetic inventory of 100,000 wheels in 20,000 projects (records
 * only: the index never opens wheels), then times
 *   1. full regeneration into an empty tree (first publication),
 *   2. full regeneration over the published tree (`farm index --full`: reads
 *      and digests every inventory file, checks every page, rewrites none),
 *   2b. full regeneration that re-renders every page and compares it with
 *      the published one (no summary of the last run: lost, or a farm
 *      upgrade); unchanged pages are not replaced,
 *   1b. what the repository browser adds (issue 15): the full regeneration
 *      into an empty tree with the browser's pages and with the simple API
 *      only, alternating, median of 3 each, side by side (goal: at most +20%),
 *   3. incremental regeneration after adding one real wheel with `addWheels`,
 *      a new version of an existing project (only the page for humans among
 *      the root pages changes) and a new project (all three root pages
 *      change), median of 9 each, and
 * reports the peak RSS of the whole run, each against the goal of issue 4.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { regenerateIndex } from '../src/index/regenerate-index.js';
import { addWheels } from '../src/publishing/add-wheels.js';
import { writeWheel } from '../test/integration/repository/support/make-wheel.js';
import { writeSyntheticInventory } from '../test/support/synthetic-inventory.js';

const PROJECTS = Number(process.argv[2] ?? 20_000);
const PER_PROJECT = Number(process.argv[3] ?? 5);
const GOALS = { fullMs: 3000, incrementalMs: 50, rssMb: 300 };

function verdict(value: number, goal: number): string {
  return value <= goal ? 'PASS' : 'MISS';
}

function line(label: string, value: number, unit: string, goal: number, cpuMs?: number): void {
  const cpu = cpuMs === undefined ? '' : `  [cpu ${cpuMs.toFixed(0)} ms]`;
  console.log(
    `${label.padEnd(62)} ${value.toFixed(unit === 'MB' ? 0 : 1).padStart(8)} ${unit.padEnd(2)} goal ≤ ${String(goal).padStart(4)} ${unit.padEnd(2)} ` +
      `${verdict(value, goal)} (${(value / goal).toFixed(2)}× goal)${cpu}`,
  );
}

/** Wall time and this process's CPU time (user + system, and each) of `work`: on a shared machine the gap is time spent waiting. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number; userMs: number; systemMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000, userMs: used.user / 1000, systemMs: used.system / 1000 };
}

/** Files and bytes under `dir`: what a regeneration wrote, independent of the machine's load. */
function treeSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/** Writes the synthetic inventory of a repository under `root`. */
function writeInventory(root: string) {
  return writeSyntheticInventory(root, 'glibc', PROJECTS, PER_PROJECT);
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-bench-index-'));
try {
  const root = path.join(base, 'root');
  const t = performance.now();
  const paths = writeInventory(root);
  console.log(`machine: ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; tree in ${base}`);
  console.log(`setup: ${PROJECTS * PER_PROJECT} wheel records in ${PROJECTS} projects (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);

  const firstRun = await timed(() => regenerateIndex({ root, repository: 'glibc', full: true }));
  const first = firstRun.result;
  if (first.projects !== PROJECTS || first.projectsWritten !== PROJECTS) throw new Error(`unexpected: ${JSON.stringify(first)}`);

  const againRun = await timed(() => regenerateIndex({ root, repository: 'glibc', full: true }));
  const again = againRun.result;
  if (again.projects !== PROJECTS || again.projectsRendered !== 0) throw new Error(`unexpected: ${JSON.stringify(again)}`);

  // Forget what was published (a lost summary, or a farm upgrade): every page is re-rendered and compared.
  fs.rmSync(paths.summary);
  const rerenderRun = await timed(() => regenerateIndex({ root, repository: 'glibc', full: true }));
  const rerender = rerenderRun.result;
  if (rerender.projectsRendered !== PROJECTS) throw new Error(`unexpected: ${JSON.stringify(rerender)}`);

  const work = path.join(base, 'incoming');
  /** Adds one real wheel with `addWheels` (not timed), then times the incremental regeneration. */
  const addAndRegenerate = async (name: string, version: string) => {
    const wheel = writeWheel(work, { name, version, requiresPython: '>=3.9' });
    const added = await addWheels({ root, repository: 'glibc', paths: [wheel], index: false });
    if (added.collected[0]?.status !== 'added') throw new Error(JSON.stringify(added));
    const { result, ms } = await timed(() => regenerateIndex({ root, repository: 'glibc' }));
    if (result.mode !== 'incremental' || result.projectsWritten !== 1 || !result.rootWritten || result.scanned) {
      throw new Error(`unexpected: ${JSON.stringify(result)}`);
    }
    return ms;
  };
  const newVersion: number[] = [];
  const newProject: number[] = [];
  for (let k = 0; k < 9; k++) {
    newVersion.push(await addAndRegenerate(`Bench_Pkg_${1000 + k}`, `9.${k}`));
    newProject.push(await addAndRegenerate(`Fresh_Pkg_${k}`, '1.0'));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  // What the repository browser adds: the same first publication with and
  // without its pages, alternating so both see the same machine load.
  const withBrowser: number[] = [];
  const simpleOnly: number[] = [];
  const withBrowserCpu: number[] = [];
  const simpleOnlyCpu: number[] = [];
  const withBrowserUser: number[] = [];
  const simpleOnlyUser: number[] = [];
  const written = { simple: { files: 0, bytes: 0 }, browser: { files: 0, bytes: 0 } };
  for (let k = 0; k < 3; k++) {
    for (const browser of k % 2 === 0 ? [false, true] : [true, false]) {
      const tree = path.join(base, `browser-${k}-${browser}`);
      writeInventory(tree);
      const inputs = treeSize(tree);
      const { ms, cpuMs, userMs } = await timed(() => regenerateIndex({ root: tree, repository: 'glibc', full: true, browser }));
      (browser ? withBrowser : simpleOnly).push(ms);
      (browser ? withBrowserCpu : simpleOnlyCpu).push(cpuMs);
      (browser ? withBrowserUser : simpleOnlyUser).push(userMs);
      const after = treeSize(tree);
      written[browser ? 'browser' : 'simple'] = { files: after.files - inputs.files, bytes: after.bytes - inputs.bytes };
      fs.rmSync(tree, { recursive: true, force: true });
    }
  }

  // The same first publication with the file system taken out of the picture.
  let tmpfsMs: number | undefined;
  if (fs.existsSync('/dev/shm')) {
    const shm = fs.mkdtempSync('/dev/shm/farm-bench-index-');
    try {
      writeInventory(path.join(shm, 'root'));
      tmpfsMs = (await timed(() => regenerateIndex({ root: path.join(shm, 'root'), repository: 'glibc', full: true }))).ms;
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  }
  line(`full regeneration, empty tree (${PROJECTS * PER_PROJECT} wheels, ${PROJECTS} projects)`, firstRun.ms, 'ms', GOALS.fullMs, firstRun.cpuMs);
  line('full regeneration over the published tree (farm index --full)', againRun.ms, 'ms', GOALS.fullMs, againRun.cpuMs);
  line('full regeneration re-rendering every page (summary lost)', rerenderRun.ms, 'ms', GOALS.fullMs, rerenderRun.cpuMs);
  line('incremental, one wheel: new version of a project (median of 9)', median(newVersion), 'ms', GOALS.incrementalMs);
  line('incremental, one wheel: a new project (median of 9)', median(newProject), 'ms', GOALS.incrementalMs);
  const browserRatio = median(withBrowser) / median(simpleOnly);
  const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${((b / a - 1) * 100).toFixed(1)}%`;
  console.log(
    `${'browser pages: full regeneration, empty tree, simple API only vs with browser'.padEnd(62)} ` +
      `${median(simpleOnly).toFixed(1)} ms vs ${median(withBrowser).toFixed(1)} ms: ${pct(median(simpleOnly), median(withBrowser))} ` +
      `goal ≤ +20% ${browserRatio <= 1.2 ? 'PASS' : 'MISS'}`,
  );
  console.log(
    `${'  the same in CPU time (median of 3 each)'.padEnd(62)} ` +
      `user ${median(simpleOnlyUser).toFixed(0)} vs ${median(withBrowserUser).toFixed(0)} ms: ${pct(median(simpleOnlyUser), median(withBrowserUser))}; ` +
      `user + system ${median(simpleOnlyCpu).toFixed(0)} vs ${median(withBrowserCpu).toFixed(0)} ms: ${pct(median(simpleOnlyCpu), median(withBrowserCpu))}`,
  );
  console.log(
    `${'  what each wrote (independent of the load)'.padEnd(62)} ` +
      `${written.simple.files} vs ${written.browser.files} files: ${pct(written.simple.files, written.browser.files)}; ` +
      `${(written.simple.bytes / 1e6).toFixed(1)} vs ${(written.browser.bytes / 1e6).toFixed(1)} MB: ${pct(written.simple.bytes, written.browser.bytes)}`,
  );
  line('peak memory (max RSS of this whole run)', process.resourceUsage().maxRSS / 1024, 'MB', GOALS.rssMb);
  if (tmpfsMs !== undefined) console.log(`\nreference: full regeneration, empty tree, on tmpfs (/dev/shm): ${tmpfsMs.toFixed(1)} ms`);
  console.log(`incremental runs, new version (ms): ${newVersion.map((x) => x.toFixed(1)).join(', ')}`);
  console.log(`incremental runs, new project (ms): ${newProject.map((x) => x.toFixed(1)).join(', ')}`);
  console.log(`browser pages, simple API only (ms): ${simpleOnly.map((x) => x.toFixed(1)).join(', ')}`);
  console.log(`browser pages, with the browser (ms): ${withBrowser.map((x) => x.toFixed(1)).join(', ')}`);
  const home = fs.statSync(paths.humanPage).size;
  console.log(`repository home page: ${home} bytes for ${PROJECTS} projects (the project list is in ${(fs.readdirSync(path.join(paths.dir, 'projects')).length - 1) / 2} chunk pages)`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
