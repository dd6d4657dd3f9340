/**
 * The fault suite (issue 14): `npx tsx bench/faults.ts [scenario ...]`.
 *
 * Runs farm against real services and breaks them mid-flight, then prints
 * per fault what happened and what was lost: requests finished, wheels
 * lost, duplicate wheels, partial files, orphan containers, index valid.
 * Goal: zero lost, zero duplicated, zero partial, zero orphans, index always
 * valid; a full disk gives a clear error and the work resumes when space is
 * freed.
 *
 * It disturbs nobody: its own redis-server (free port, AOF, fsync always),
 * its own dockerd (own data root, exec root, socket and pid file,
 * `--bridge=farmfault0 --iptables=false` (never `--bridge=none`: it deletes
 * docker0); the glibc-x86_64 builder image is copied
 * into it with `docker save | docker load`), its own tmpfs for the full
 * disk, everything under one temp directory removed at the end.
 *
 * Scenarios (all by default): adds, collect, index, disk (no Docker);
 * build, redis, dockerd, diskreq (the pipeline, on the suite's dockerd).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/load-config.js';
import type { FarmConfig } from '../src/config/schema.js';
import { openEngine, type Engine } from '../src/pipeline/index.js';
import { repositoryPaths } from '../src/repository/repository-paths.js';
import { farmNodeArgs } from '../test/integration/cli/support/farm-process.js';
import { writeWheel } from '../test/integration/repository/support/make-wheel.js';
import { writeSyntheticInventory } from '../test/support/synthetic-inventory.js';
import { buildUpstream } from '../test/support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../test/support/upstream/static-server.js';
import { startDockerd, startRedis, type OwnDockerd, type OwnRedis } from './support/fault-services.js';
import { auditRepository, type Audit } from './support/repository-audit.js';

const run = promisify(execFile);
const IMAGE = 'farm/builder-glibc-x86_64:bootstrap-py3.11';
const WORKER_MAIN = fileURLToPath(new URL('../src/pipeline/worker/worker-main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url));
const WORKER_TUNING = { lockDurationMs: 10_000, stalledIntervalMs: 4_000, heartbeatTtlSeconds: 6, sweepIntervalMs: 3_000, pollMs: 1_000 };

/** One row of the table. */
interface Row {
  fault: string;
  requests: string;
  lost: number;
  duplicates: number;
  partial: number;
  orphans: number | '-';
  indexValid: boolean;
  note: string;
}

const dir = `/tmp/farm-faults-${randomBytes(4).toString('hex')}`;
const cleanups: (() => Promise<unknown>)[] = [];
let redis: OwnRedis | undefined;
let dockerd: OwnDockerd | undefined;
let upstream: StaticServer | undefined;

function log(text: string): void {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** A farm config file for scenario `name`: its own root and state dir, the suite's Redis and (when given) dockerd. */
function configFor(name: string, extra: string[] = []): { file: string; config: FarmConfig; root: string } {
  const base = path.join(dir, name);
  fs.mkdirSync(base, { recursive: true });
  const lines = [
    `root: ${base}/root`,
    `stateDir: ${base}/state`,
    `redis: { url: "${redis?.url ?? 'redis://127.0.0.1:1'}" }`,
    ...(dockerd === undefined ? [] : [`docker: { hosts: [{ name: faults, url: "unix://${dockerd.socket}", concurrency: 2, network: host }] }`]),
    ...(upstream === undefined ? [] : [`upstream: { indexUrl: "${upstream.url}/simple/" }`]),
    'images: { source: bootstrap }',
    ...extra,
  ];
  const file = path.join(base, 'farm.yaml');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, config: parseConfig(lines.join('\n'), file), root: `${base}/root` };
}

/** Runs `farm <args>` with a config file; resolves with its exit code and output. */
function farm(configFile: string, args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, farmNodeArgs(args), { env: { ...process.env, FARM_CONFIG: configFile, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.once('close', (code) => resolve({ code, output })));
  return { child, done };
}

function row(fault: string, requests: string, audit: Audit, orphans: number | '-', note: string, expectedLost: string[] = []): Row {
  return {
    fault,
    requests,
    lost: audit.lost.length + expectedLost.filter((w) => !audit.wheels.includes(w)).length,
    duplicates: audit.duplicates.length,
    partial: audit.partial.length,
    orphans,
    indexValid: audit.indexValid,
    note: [note, ...audit.problems.slice(0, 3)].filter((s) => s !== '').join('; '),
  };
}

// ─── Scenarios without Docker ────────────────────────────────────────────────

/** 20 concurrent `farm add` of one release with 20 different contents. */
async function concurrentAdds(): Promise<Row> {
  const { file, root } = configFor('adds');
  const wheels = Array.from({ length: 20 }, (_, i) => writeWheel(path.join(dir, 'adds', `w${i}`), { name: 'good', version: '1.0', flavour: `build ${i}` }));
  const results = await Promise.all(wheels.map((w) => farm(file, ['add', '--repo', 'glibc', w]).done));
  const accepted = results.filter((r) => r.code === 0).length;
  const refused = results.filter((r) => r.code === 1 && /already|different bytes|conflict/i.test(r.output)).length;
  const audit = auditRepository(root, 'glibc');
  const ok = accepted === 1 && refused === 19;
  return row('20 concurrent farm add, conflicting', `${accepted + refused}/20 finished`, audit, '-', `${accepted} accepted, ${refused} refused as conflicts${ok ? '' : ' (expected 1 and 19)'}`, ['good-1.0-py3-none-any.whl']);
}

/** `kill -9` of a process collecting a large wheel (`farm add`, the worker's collect path), then the next run. */
async function killDuringCollection(): Promise<Row> {
  const { file, root } = configFor('collect');
  const paths = repositoryPaths(root, 'glibc');
  const small = writeWheel(path.join(dir, 'collect', 'in'), { name: 'before', version: '1.0' });
  await farm(file, ['add', '--repo', 'glibc', small]).done;
  const big = writeWheel(path.join(dir, 'collect', 'in'), { name: 'big', version: '1.0', flavour: randomBytes(96 * 1024 * 1024).toString('base64') });
  const adding = farm(file, ['add', '--repo', 'glibc', big]);
  const tempSeen = await until(() => [paths.tmp, paths.packages, paths.state].some((d) => fs.existsSync(d) && fs.readdirSync(d).some((n) => /^\..*\.\d+\.tmp$|\.tmp$|\.\d+\.new$/.test(n) || n.includes(`.${adding.child.pid}.`))), 60_000, 5);
  adding.child.kill('SIGKILL');
  await adding.done;
  const leftAfterKill = auditRepository(root, 'glibc').partial.length;
  // The next run (any farm add) removes what the dead one left, then the big wheel is added again.
  const again = await farm(file, ['add', '--repo', 'glibc', big]).done;
  const audit = auditRepository(root, 'glibc');
  return row(
    'kill -9 during collection (farm add, 96 MiB wheel)',
    `${again.code === 0 ? 1 : 0}/1 finished on rerun`,
    audit,
    '-',
    `${tempSeen ? 'killed while copying' : 'copy not seen (killed late)'}; ${leftAfterKill} temp file(s) left by the kill, removed by the next run`,
    ['before-1.0-py3-none-any.whl', 'big-1.0-py3-none-any.whl'],
  );
}

/** `kill -9` in the middle of a full index regeneration (8,000 projects), then the next run. */
async function killDuringIndex(): Promise<Row> {
  const { file, root } = configFor('index');
  writeSyntheticInventory(root, 'glibc', 8000, 2);
  const paths = repositoryPaths(root, 'glibc');
  const started = Date.now();
  const first = farm(file, ['index', '--repo', 'glibc']);
  // Kill once about a third of the pages exist.
  await until(() => fs.existsSync(paths.simple) && fs.readdirSync(paths.simple).length > 2500, 120_000, 20);
  first.child.kill('SIGKILL');
  await first.done;
  const killedAfter = Date.now() - started;
  const published = fs.existsSync(paths.simple) ? fs.readdirSync(paths.simple).filter((n) => !n.startsWith('.') && !n.startsWith('index')) : [];
  let corrupt = 0;
  for (const project of published) {
    try {
      JSON.parse(fs.readFileSync(path.join(paths.simple, project, 'index.json'), 'utf8'));
    } catch {
      corrupt += 1;
    }
  }
  const again = await farm(file, ['index', '--repo', 'glibc']).done;
  const audit = auditRepository(root, 'glibc', { files: false });
  return {
    ...row('kill -9 during index regeneration (8,000 projects)', `${again.code === 0 ? 1 : 0}/1 finished on rerun`, audit, '-', `killed after ${killedAfter} ms with ${published.length} project pages written, ${corrupt} of them unreadable`),
    indexValid: audit.indexValid && corrupt === 0,
  };
}

/** The repository on a small tmpfs that fills up during collection; space freed; the same add again. */
async function fullDisk(): Promise<Row> {
  const { file, root } = configFor('disk');
  fs.mkdirSync(root, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'farm-faults-tmpfs', root]);
  cleanups.push(() => run('umount', ['-l', root]).catch(() => {}));
  const first = writeWheel(path.join(dir, 'disk', 'in'), { name: 'first', version: '1.0' });
  await farm(file, ['add', '--repo', 'glibc', first]).done;
  // Fill the disk but for ~4 MiB, then add a ~9 MiB wheel.
  const filler = path.join(root, 'filler');
  const free = () => {
    const s = fs.statfsSync(root);
    return s.bavail * s.bsize;
  };
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 4 * 1024 * 1024)));
  const big = writeWheel(path.join(dir, 'disk', 'in'), { name: 'big', version: '1.0', flavour: randomBytes(7 * 1024 * 1024).toString('base64') });
  const full = await farm(file, ['add', '--repo', 'glibc', big]).done;
  const clear = full.code !== 0 && /no space|ENOSPC|disk|full/i.test(full.output);
  const whileFull = auditRepository(root, 'glibc');
  fs.rmSync(filler);
  const again = await farm(file, ['add', '--repo', 'glibc', big]).done;
  const audit = auditRepository(root, 'glibc');
  const message = full.output.split('\n').find((l) => /error/i.test(l)) ?? full.output.trim().split('\n')[0] ?? '';
  return row(
    'repository filesystem full during collection (24 MiB tmpfs)',
    `${again.code === 0 ? 1 : 0}/1 finished after space freed`,
    audit,
    '-',
    `full: exit ${full.code}, ${clear ? 'clear error' : 'UNCLEAR error'} "${message.slice(0, 90)}", ${whileFull.partial.length} partial file(s) while full`,
    ['first-1.0-py3-none-any.whl', 'big-1.0-py3-none-any.whl'],
  );
}

// ─── Scenarios with the pipeline on the suite's dockerd ─────────────────────

interface WorkerChild {
  child: ChildProcess;
  id: string;
  /** What the worker logged so far. */
  output(): string;
  kill(): Promise<void>;
}

async function startWorker(configFile: string, prefix: string, volumePrefix: string, id: string): Promise<WorkerChild> {
  const options = { prefix, targets: ['glibc-x86_64'], workerId: id, cacheVolumePrefix: volumePrefix, concurrency: 2, tuning: WORKER_TUNING };
  const child = spawn(process.execPath, ['--import', TSX, WORKER_MAIN, JSON.stringify(options)], {
    env: { ...process.env, FARM_CONFIG: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(`ready ${id}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}) before it was ready:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  cleanups.push(() => stop('SIGTERM'));
  return { child, id, output: () => output, kill: () => stop('SIGKILL') };
}

/** farm containers on the suite's dockerd, any state. */
async function farmContainers(): Promise<number> {
  const list = await dockerd!.client.listContainers({ all: true, filters: { label: ['farm.managed=true'] } });
  return list.filter((c) => c.Labels['farm.job'] !== undefined && !c.Labels['farm.job'].startsWith('cache-volume')).length;
}

/** Waits until a build container runs, then applies `fault`; the request must still finish. */
interface FaultContext {
  workers: WorkerChild[];
  respawn(): Promise<void>;
  root: string;
}

async function pipelineFault(
  name: string,
  label: string,
  fault: (ctx: FaultContext) => Promise<string>,
  prepare: (root: string) => Promise<void> = async () => {},
): Promise<Row> {
  const id = randomBytes(3).toString('hex');
  const prefix = `farm-faults-${id}`;
  const volumePrefix = `farm-faults-${id}-`;
  const { file, config, root } = configFor(name, ['timeouts: { buildSeconds: 900, resolveSeconds: 900, testSeconds: 600 }']);
  await prepare(root);
  const workers = [await startWorker(file, prefix, volumePrefix, `faults-${name}-a`)];
  let spawned = 0;
  const respawn = async () => {
    spawned += 1;
    workers.push(await startWorker(file, prefix, volumePrefix, `faults-${name}-${spawned}`));
  };
  const engine: Engine = await openEngine(config, { prefix });
  cleanups.push(() => engine.close());
  const requirements = path.join(dir, name, 'requirements.txt');
  fs.writeFileSync(requirements, 'farmfix-slowlog\nfarmfix-b\n');
  const requestId = await engine.submit({ requirements: [requirements], targets: ['glibc-x86_64'] });
  const building = await until(
    async () => (await dockerd!.client.listContainers({ filters: { label: [`farm.request=${requestId}`] } })).some((c) => c.Labels['farm.job']?.startsWith('build-farmfix-slowlog')),
    15 * 60_000,
    200,
  );
  const note = building ? await fault({ workers, respawn, root }) : 'the build never started';
  const status = await engine.wait(requestId, { timeoutMs: 20 * 60_000 }).catch((error: unknown) => ({ state: `wait failed: ${(error as Error).message}`, rows: [] as { name: string; state: string; error?: string }[] }));
  // Let the sweepers see dead workers' containers.
  await until(async () => (await farmContainers()) === 0, 30_000, 500);
  const orphans = await farmContainers();
  const audit = auditRepository(root, 'glibc');
  const built = status.rows.filter((r) => r.state === 'built' || r.state === 'cached').length;
  const failed = status.rows.filter((r) => r.state === 'failed').map((r) => `${r.name}: ${(r.error ?? '').split('\n')[0]}`);
  const finished = status.state === 'done' && failed.length === 0;
  const expected = ['farmfix_slowlog-1.0-py3-none-any.whl', 'farmfix_b-1.0-py3-none-any.whl', ...(audit.wheels.some((w) => w.startsWith('farmfix_c-')) ? [] : ['farmfix_c (any)'])];
  for (const w of workers) await w.kill();
  await engine.close();
  return row(label, `${finished ? 1 : 0}/1 finished (${built}/${status.rows.length} rows built)`, audit, orphans, [note, ...failed].join('; '), expected);
}

async function killWorkerDuringBuild(): Promise<Row> {
  return pipelineFault('build', 'kill -9 of a worker during a build', async ({ workers, respawn }) => {
    await workers[0]!.kill();
    await respawn();
    return 'worker killed while its build container ran; a new worker took over';
  });
}

async function redisRestart(): Promise<Row> {
  return pipelineFault('redis', 'Redis kill -9 and restart (AOF) mid-request', async () => {
    await redis!.restart(2000);
    return 'Redis down 2 s while a build ran';
  });
}

async function dockerdRestart(): Promise<Row> {
  return pipelineFault('dockerd', 'dockerd restarted mid-build', async () => {
    const t0 = Date.now();
    await dockerd!.restart();
    return `dockerd stopped and started again (${((Date.now() - t0) / 1000).toFixed(1)} s) while a build ran`;
  });
}

/** The repository's filesystem fills up while a build runs; space is freed once collection has failed. */
async function fullDiskRequest(): Promise<Row> {
  let filler = '';
  return pipelineFault(
    'diskreq',
    'repository filesystem full during a build request',
    async ({ workers, root }) => {
      filler = path.join(root, 'filler');
      const s = fs.statfsSync(root);
      fs.writeFileSync(filler, Buffer.alloc(s.bavail * s.bsize));
      const failed = await until(() => workers.some((w) => /ENOSPC|no space left/i.test(w.output())), 15 * 60_000, 500);
      const line = workers.flatMap((w) => w.output().split('\n')).find((l) => /ENOSPC|no space left/i.test(l)) ?? '';
      fs.rmSync(filler);
      return failed ? `disk filled while the build ran; the worker said "${line.replace(/^\[worker\] /, '').slice(0, 160)}"; space freed, the job retried` : 'no ENOSPC seen';
    },
    async (root) => {
      fs.mkdirSync(root, { recursive: true });
      await run('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'farm-faults-tmpfs', root]);
      cleanups.push(() => run('umount', ['-l', root]).catch(() => {}));
    },
  );
}

// ─── Main ───────────────────────────────────────────────────────────────────

const SCENARIOS: Record<string, { docker: boolean; run: () => Promise<Row> }> = {
  adds: { docker: false, run: concurrentAdds },
  collect: { docker: false, run: killDuringCollection },
  index: { docker: false, run: killDuringIndex },
  disk: { docker: false, run: fullDisk },
  build: { docker: true, run: killWorkerDuringBuild },
  redis: { docker: true, run: redisRestart },
  dockerd: { docker: true, run: dockerdRestart },
  diskreq: { docker: true, run: fullDiskRequest },
};

function printTable(rows: Row[]): void {
  const head = ['fault', 'requests finished', 'wheels lost', 'duplicates', 'partial files', 'orphan containers', 'index valid'];
  const cells = rows.map((r) => [r.fault, r.requests, String(r.lost), String(r.duplicates), String(r.partial), String(r.orphans), r.indexValid ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  console.log('');
  for (const r of rows) console.log(`${r.fault}: ${r.note}`);
  const atGoal = rows.every((r) => r.lost === 0 && r.duplicates === 0 && r.partial === 0 && (r.orphans === '-' || r.orphans === 0) && r.indexValid && r.requests.startsWith('1/1') || (r.fault.startsWith('20 ') && r.requests === '20/20 finished' && r.lost === 0 && r.duplicates === 0 && r.partial === 0 && r.indexValid));
  console.log(`\nevery figure at its goal: ${atGoal ? 'yes' : 'NO'}`);
}

async function main(): Promise<void> {
  const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(SCENARIOS);
  for (const name of chosen) if (SCENARIOS[name] === undefined) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}`);
  fs.mkdirSync(dir, { recursive: true });
  log(`working in ${dir}`);
  redis = await startRedis(path.join(dir, 'redis'));
  cleanups.push(() => redis!.stop());
  log(`own redis-server at ${redis.url} (AOF, fsync always)`);
  if (chosen.some((n) => SCENARIOS[n]!.docker)) {
    dockerd = await startDockerd(path.join(dir, 'dockerd'));
    cleanups.push(() => dockerd!.stop());
    log(`own dockerd at ${dockerd.socket}; loading ${IMAGE} into it`);
    await run('sh', ['-c', 'docker save "$1" | docker -H "unix://$2" load', 'load', IMAGE, dockerd.socket], { maxBuffer: 16 * 1024 * 1024 });
    await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-slowlog', 'farmfix-b', 'farmfix-c'] });
    upstream = await serveStatic(path.join(dir, 'upstream'));
    cleanups.push(() => upstream!.close());
  }
  const rows: Row[] = [];
  for (const name of chosen) {
    log(`scenario ${name}`);
    const t0 = Date.now();
    try {
      rows.push(await SCENARIOS[name]!.run());
    } catch (error) {
      rows.push({ fault: name, requests: 'error', lost: -1, duplicates: -1, partial: -1, orphans: '-', indexValid: false, note: (error as Error).stack ?? String(error) });
    }
    log(`scenario ${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  printTable(rows);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    // What the suite's dockerd and tmpfs mounted under the directory (netns, overlays), deepest first.
    const mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((target) => target.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const target of mounts) await run('umount', ['-l', target]).catch(() => {});
    // FARM_FAULTS_KEEP=1 keeps the logs and repositories to look at.
    if (process.env['FARM_FAULTS_KEEP'] === undefined) fs.rmSync(dir, { recursive: true, force: true });
    log('cleaned up');
  });
