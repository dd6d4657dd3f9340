/**
 * A remote worker with nothing shared but Redis and HTTP (issue 11). The
 * main host runs `farm api`, `farm serve` and `farm worker --no-builds`
 * (request jobs); Redis is a redis-server of the test's own that speaks only
 * TLS (a CA, server and client certificates made with openssl, an ACL user
 * with a password). The remote `farm worker --server ... --token-file ...`
 * runs in a mount namespace where a tmpfs hides the main host's directory
 * (repository root, state, tokens): it reads what is published from the
 * served index (on a non-loopback address: a LAN index pip must be told to trust)
 * and delivers wheels and logs through the upload API, behind a proxy that
 * injects the faults: a flipped byte, the API killed mid-upload, an upload
 * held while the worker's token is revoked.
 *
 * Needs the bootstrap images of glibc-armv7 and glibc-x86_64 and the cross
 * toolchain image (`farm images bootstrap --targets glibc-armv7,glibc-x86_64`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { FarmServerClient } from '../../../src/remote/server-client.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { cleanEnv, runFarm } from '../cli/support/farm-process.js';
import { explainRow, removeVolumes, strayFiles, wheelsIn } from '../pipeline/helpers.js';
import { requestedRows } from '../../support/request-rows.js';
import { writeWheel } from '../repository/support/make-wheel.js';
import { snapshot } from '../repository/support/tree.js';
import { freePort, startTlsRedis, type TlsRedis } from '../../support/tls-redis.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startApiProcess, startHiddenFrom, startServerProcess, type FarmChild } from './support/farm-processes.js';

const run = promisify(execFile);
const id = Math.random().toString(36).slice(2, 10);
const BOTH = 'glibc-armv7,glibc-x86_64';
/** A non-loopback address of this host (docker0's when it has one): the served index as a LAN mirror. */
function lanAddress(): string {
  const interfaces = networkInterfaces();
  const v4 = (name: string) => (interfaces[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const address = v4('docker0') ?? Object.keys(interfaces).map(v4).find((a) => a !== undefined);
  if (address === undefined) throw new Error('this host has no non-loopback IPv4 address for the served index');
  return address;
}
const LAN = lanAddress();

let tmp: string;
let serverDir: string;
let root: string;
let redis: TlsRedis;
let upstream: StaticServer;
let serve: RunningServer;
let proxy: FaultProxy;
let apiPort: number;
let api: FarmChild;
let restartedApi: Promise<FarmChild> | undefined;
let orchestrator: FarmChild;
let serverEnv: NodeJS.ProcessEnv;
let workerEnv: NodeJS.ProcessEnv;
const workers: FarmChild[] = [];

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

async function farm(args: string[], env = serverEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runFarm(args, { env });
}

/** `farm tokens create` on the main host; the secret goes into a file on the worker's side. */
async function workerToken(name: string, targets: string): Promise<string> {
  const made = await farm(['tokens', 'create', '--name', name, '--targets', targets]);
  expect(made.code, made.stderr).toBe(0);
  const file = path.join(tmp, 'worker', `${name}.token`);
  await writeFile(file, made.stdout, { mode: 0o600 });
  return file;
}

function remoteWorker(name: string, tokenFile: string): FarmChild {
  const worker = startHiddenFrom(serverDir, ['worker', '--server', proxy.url, '--token-file', tokenFile, '--targets', BOTH, '--id', name], workerEnv, name);
  workers.push(worker);
  return worker;
}

/** `farm build` on the main host; returns its final status. */
async function build(requirements: string, targets: string): Promise<RequestStatus> {
  const file = path.join(serverDir, `requirements-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, `${requirements}\n`);
  const result = await farm(['build', file, '--targets', targets, '--json']);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as RequestStatus;
}

async function workerList(): Promise<{ id: string; state: string; info?: { kind: string; token?: string; targets: { id: string; mode: string }[] } }[]> {
  const result = await farm(['workers', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { id: string; state: string }[];
}

/** Every file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true, withFileTypes: true })) as { isFile(): boolean; parentPath: string; name: string }[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/farm-remote-it-');
  serverDir = path.join(tmp, 'server');
  root = path.join(serverDir, 'root');
  await mkdir(root, { recursive: true });
  await mkdir(path.join(tmp, 'worker', 'state'), { recursive: true });
  redis = await startTlsRedis();
  await buildUpstream(path.join(tmp, 'upstream'), { fixtures: ['farmfix-cext', 'farmfix-slowlog', 'farmfix-x86only'] });
  upstream = await serveStatic(path.join(tmp, 'upstream'));
  serve = await startServer({ root, port: 0, host: LAN, accessLog: () => {} });
  apiPort = await freePort();

  const common = [
    `redis: { url: "${redis.url}", tls: { ca: "${redis.ca}", cert: "${redis.clientCert}", key: "${redis.clientKey}" } }`,
    'docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }',
    `upstream: { indexUrl: "${upstream.url}/simple/" }`,
    'images: { source: bootstrap }',
    'timeouts: { buildSeconds: 1200, resolveSeconds: 1200, testSeconds: 900 }',
  ];
  const serverConfig = path.join(serverDir, 'farm.config.yaml');
  await writeFile(
    serverConfig,
    [`root: ${root}`, `stateDir: ${serverDir}/state`, ...common, `api: { host: 127.0.0.1, port: ${apiPort}, indexUrl: "http://${LAN}:${serve.port}/" }`].join('\n'),
  );
  // The worker's config names no repository root (the default, /srv/farm, does not exist here).
  const workerConfig = path.join(tmp, 'worker', 'farm.config.yaml');
  await writeFile(workerConfig, [`stateDir: ${tmp}/worker/state`, ...common, `pipeline: { cacheVolumePrefix: farm-remote-it-${id}- }`].join('\n'));
  serverEnv = cleanEnv({ FARM_CONFIG: serverConfig, NO_COLOR: '1' });
  workerEnv = cleanEnv({ FARM_CONFIG: workerConfig, NO_COLOR: '1' });

  api = await startApiProcess(serverEnv, apiPort);
  proxy = await startFaultProxy(apiPort);
  orchestrator = startServerProcess(['worker', '--no-builds', '--id', 'main-host'], serverEnv, 'main host worker');
  await orchestrator.waitFor(/serving no targets and requests/, 180_000);
}, 600_000);

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await orchestrator?.kill();
  await (await restartedApi)?.kill();
  await api?.kill();
  await proxy?.close();
  await serve?.close();
  await upstream?.close();
  await redis?.stop();
  await removeVolumes(`farm-remote-it-${id}-`);
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
}, 120_000);

describe('a remote worker: TLS Redis, the upload API, no repository root', () => {
  let workerA: FarmChild;
  let status: RequestStatus;

  it('starts with its token, hidden from the main host\'s files, and farm workers lists it with its targets', async () => {
    workerA = remoteWorker('remote-a', await workerToken('remote-a', BOTH));
    await workerA.waitFor(/worker remote-a serving glibc-armv7, glibc-x86_64, delivering to/, 180_000);
    // What the worker's processes see where the main host keeps its repository: an empty tmpfs.
    const seen = await run('nsenter', ['--target', String(workerA.child.pid), '--mount', 'ls', '-A', serverDir]);
    expect(seen.stdout).toBe('');
    const listed = (await workerList()).find((w) => w.id === 'remote-a');
    expect(listed?.state).toBe('up');
    expect(listed?.info?.kind).toBe('remote');
    expect(listed?.info?.token).toBe('remote-a');
    expect(listed?.info?.targets).toEqual([
      { id: 'glibc-armv7', mode: 'emulated' },
      { id: 'glibc-x86_64', mode: 'native' },
    ]);
  }, 300_000);

  it('builds glibc-armv7 (qemu) and glibc-x86_64 for a farm build on the main host; the wheels land there with their hashes', async () => {
    status = await build('farmfix-cext', BOTH);
    const rows = status.rows.filter((r) => r.name === 'farmfix-cext');
    expect(rows.map((r) => [r.target, r.state]), (await Promise.all(rows.map(explainRow))).join('\n')).toEqual([
      ['glibc-armv7', 'built'],
      ['glibc-x86_64', 'built'],
    ]);
    expect(rows.map((r) => r.wheel)).toEqual([expect.stringMatching(/linux_armv7l\.whl$/), expect.stringMatching(/x86_64\.whl$/)]);
    const published = await (await fetch(`${serve.url}glibc/simple/farmfix-cext/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json() as {
      files: { filename: string; hashes: { sha256: string } }[];
    };
    for (const row of rows) {
      const file = path.join(root, 'glibc', 'packages', row.wheel!);
      expect(published.files.find((f) => f.filename === row.wheel)?.hashes.sha256).toBe(await sha256(file));
    }
    expect(workerA.output()).toMatch(/build farmfix-cext==1\.0 glibc-armv7 py3\.11: built/);
  }, 1_800_000);

  it('farm logs on the main host prints the remote build logs, complete', async () => {
    const logs = await farm(['logs', status.id, 'farmfix-cext']);
    expect(logs.code, logs.stderr).toBe(0);
    for (const row of requestedRows(status)) {
      expect(row.logPath?.startsWith(path.join(serverDir, 'state'))).toBe(true);
      const local = path.join(tmp, 'worker', 'state', path.relative(path.join(serverDir, 'state'), row.logPath!));
      const text = await readFile(local, 'utf8');
      expect(await readFile(row.logPath!, 'utf8')).toBe(text);
      expect(logs.stdout).toContain(text.trim().split('\n').at(-1));
    }
    expect(logs.stdout).toMatch(/==> farmfix-cext 1\.0 glibc-armv7 py3\.11 \(built\)/);
  });

  it('the worker\'s disk holds no repository: no wheel, no index', async () => {
    const files = await filesUnder(path.join(tmp, 'worker'));
    expect(files.filter((f) => f.endsWith('.whl') || /(^|\/)(packages|simple)\//.test(f))).toEqual([]);
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
  });

  it('a flipped byte is refused (400, nothing written) and the API killed mid-upload comes back: retried, exactly one file', async () => {
    proxy.corruptNextUpload();
    proxy.killDuringNextUpload(async () => {
      await api.kill();
      restartedApi = startApiProcess(serverEnv, apiPort);
    });
    const done = await build('farmfix-slowlog', 'glibc-x86_64');
    api = await restartedApi!;
    restartedApi = undefined;
    expect(requestedRows(done).map((r) => [r.name, r.state])).toEqual([['farmfix-slowlog', 'built']]);
    const uploads = proxy.uploads.filter((u) => u.fault !== undefined);
    expect(uploads.map((u) => [u.fault, u.status])).toEqual([
      ['corrupted', 400],
      ['killed', 'reset'],
    ]);
    expect(workerA.output()).toMatch(/digest mismatch|sha256/);
    expect(workerA.output()).toMatch(/no answer from farm api/);
    expect((await wheelsIn(root, 'glibc')).filter((f) => f.startsWith('farmfix_slowlog-'))).toEqual(['farmfix_slowlog-1.0-py3-none-any.whl']);
    expect(await strayFiles(root, 'glibc')).toEqual([]);
    // The log went on through the kill: the main host's copy is the worker's, to the last line.
    const [row] = requestedRows(done);
    const local = path.join(tmp, 'worker', 'state', path.relative(path.join(serverDir, 'state'), row!.logPath!));
    expect(await readFile(row!.logPath!, 'utf8')).toBe(await readFile(local, 'utf8'));
    const logs = await farm(['logs', done.id, 'farmfix-slowlog']);
    expect(logs.stdout).toContain('# farm: collected farmfix_slowlog-1.0-py3-none-any.whl into glibc');
  }, 1_200_000);

  it('a token used outside its targets gets 403 and nothing is written; such a worker does not start', async () => {
    const tokenFile = await workerToken('x86-only', 'glibc-x86_64');
    const refused = await runFarm(['worker', '--server', proxy.url, '--token-file', tokenFile, '--targets', 'glibc-armv7'], { env: workerEnv });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/403/);
    const wheel = writeWheel(path.join(tmp, 'scope'), { name: 'farm_scope', version: '1.0', tag: 'cp311-cp311-linux_armv7l' });
    const client = new FarmServerClient({ serverUrl: proxy.url, token: (await readFile(tokenFile, 'utf8')).trim(), retries: 0 });
    const before = snapshot(root);
    await expect(client.upload('glibc', wheel, { target: 'glibc-armv7' })).rejects.toMatchObject({ status: 403 });
    await expect(client.upload('glibc', wheel)).rejects.toMatchObject({ status: 403 });
    expect(snapshot(root)).toEqual(before);
  }, 300_000);

  it('a revoked token: 401, the worker hands its job back and stops; another worker does it', async () => {
    proxy.holdNextUpload(async () => {
      const revoked = await farm(['tokens', 'revoke', 'remote-a']);
      expect(revoked.code, revoked.stderr).toBe(0);
    });
    const building = build('farmfix-x86only', 'glibc-x86_64');
    await workerA.exited;
    expect(proxy.uploads.find((u) => u.fault === 'held')?.status).toBe(401);
    expect(workerA.output()).toMatch(/handing back 1 job/);
    const workerB = remoteWorker('remote-b', await workerToken('remote-b', BOTH));
    const done = await building;
    expect(requestedRows(done).map((r) => [r.name, r.state])).toEqual([['farmfix-x86only', 'built']]);
    expect(workerB.output()).toMatch(/build farmfix-x86only==1\.0 glibc-x86_64 py3\.11: built/);
    expect((await wheelsIn(root, 'glibc')).filter((f) => f.startsWith('farmfix_x86only-'))).toHaveLength(1);
  }, 1_200_000);

  it('farm workers: the killed worker is shown as gone once its heartbeats stop; the revoked one as stopped', async () => {
    const workerB = workers.at(-1)!;
    expect((await workerList()).find((w) => w.id === 'remote-b')?.state).toBe('up');
    await workerB.kill();
    const deadline = Date.now() + 90_000;
    let list = await workerList();
    while (list.find((w) => w.id === 'remote-b')?.state !== 'gone' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 3000));
      list = await workerList();
    }
    expect(list.find((w) => w.id === 'remote-b')?.state).toBe('gone');
    expect(list.find((w) => w.id === 'remote-a')?.state).toBe('stopped');
    const table = await farm(['workers']);
    expect(table.stdout).toMatch(/remote-b .*remote .*glibc-armv7 \(emulated\).*gone/);
  }, 300_000);
});
