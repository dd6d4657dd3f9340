/**
 * Shared set-up of the pipeline integration tests: a local upstream index, a
 * farm config pointing at it (containers reach it through `network: host`),
 * random queue prefixes and cache volume names, and Docker event recording as
 * ground truth for "how many build containers ran".
 */
import { followContainerEvents } from '../../support/docker-events.js';
import { dropRedisPrefix } from '../../support/redis-prefix.js';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { parseConfig } from '../../../src/config/load-config.js';
import type { FarmConfig } from '../../../src/config/schema.js';
import { interpreterPath } from '../../../src/images/image-names.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { buildUpstream, type Upstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';

const run = promisify(execFile);

export const REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const docker = new Dockerode();

/** Every requirement line of the main scenario. */
export const FIXTURE_REQUIREMENTS = [
  'farmfix-a',
  'farmfix-cext',
  'farmfix-x86only ; platform_machine != "armv7l"',
  'farmfix-purewheel',
  'farmfix-broken',
].join('\n');

export interface TestUpstream {
  dir: string;
  upstream: Upstream;
  server: StaticServer;
  close(): Promise<void>;
}

/** Builds the fixture upstream index in a fresh temp dir and serves it on 127.0.0.1. */
export async function startUpstream(): Promise<TestUpstream> {
  const dir = await mkdtemp('/tmp/farm-pipeline-it-');
  const upstream = await buildUpstream(path.join(dir, 'upstream'));
  const server = await serveStatic(path.join(dir, 'upstream'));
  return {
    dir,
    upstream,
    server,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A farm config with its own root and state dir under `dir`. */
export function farmConfig(dir: string, indexUrl: string, extra = ''): FarmConfig {
  return parseConfig(
    [
      `root: ${dir}/root`,
      `stateDir: ${dir}/state`,
      `redis: { url: "${REDIS_URL}" }`,
      'docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }',
      `upstream: { indexUrl: "${indexUrl}" }`,
      'images: { source: bootstrap }',
      'timeouts: { buildSeconds: 1200, resolveSeconds: 1200, testSeconds: 900 }',
      extra,
    ].join('\n'),
    'pipeline test config',
  );
}

/** A random suffix for queue prefixes, volume and container names. */
export function randomId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Deletes every Redis key under `prefix:` (BullMQ's and farm's). */
export async function dropPrefix(prefix: string): Promise<void> {
  await dropRedisPrefix(prefix, REDIS_URL);
}

/** Removes the per-target cache volumes a test created. */
export async function removeVolumes(prefix: string): Promise<void> {
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) if (v.Name.startsWith(prefix)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
}

/** A container start Docker reported, with farm's labels. */
export interface ContainerStart {
  id: string;
  job: string;
  request: string | undefined;
  worker: string | undefined;
  target: string | undefined;
  /** `farm.step`: resolve, prepare, compile, repair, smoke. */
  step: string | undefined;
}

/** Records farm container starts from Docker's event stream until `stop()`. */
export async function recordContainerStarts(): Promise<{ starts: ContainerStart[]; stop(): void }> {
  const starts: ContainerStart[] = [];
  const { stop } = await followContainerEvents(docker, ['start'], (event) => {
    const a = event.Actor?.Attributes ?? {};
    starts.push({ id: event.id, job: a['farm.job'] ?? '', request: a['farm.request'], worker: a['farm.worker'], target: a['farm.target'], step: a['farm.step'] });
  });
  return { starts, stop };
}

/**
 * Why a row is not what a test expected: its state, error and the end of its
 * build log. An assertion message, so that a CI failure shows the compiler
 * error instead of only "expected 'failed' to be 'built'".
 */
export async function explainRow(row: { name: string; target: string; state: string; error?: string; logPath?: string } | undefined): Promise<string> {
  if (row === undefined) return 'no such row';
  const log = row.logPath === undefined || row.error?.includes('\n') === true ? '' : await readFile(row.logPath, 'utf8').catch(() => '');
  const tail = log.trimEnd().split('\n').slice(-40).join('\n');
  return `${row.name} ${row.target}: ${row.state}${row.error === undefined ? '' : ` (${row.error})`}${tail === '' ? '' : `\n--- end of its build log ---\n${tail}`}`;
}

/** Wheel files in `<root>/<repo>/packages`, sorted. */
export async function wheelsIn(root: string, repository: string): Promise<string[]> {
  try {
    return (await readdir(path.join(root, repository, 'packages'))).filter((f) => f.endsWith('.whl')).sort();
  } catch {
    return [];
  }
}

/** Everything in `<root>/<repo>/packages` that is neither a wheel nor its `.metadata`. */
export async function strayFiles(root: string, repository: string): Promise<string[]> {
  try {
    return (await readdir(path.join(root, repository, 'packages'))).filter((f) => !f.endsWith('.whl') && !f.endsWith('.whl.metadata'));
  } catch {
    return [];
  }
}

/**
 * Installs `packages` with pip from `indexUrl` in a fresh container of the
 * target's bootstrap image (nothing from upstream: `--index-url` only), then
 * imports `modules`. Returns pip's and Python's output; throws on failure.
 */
export async function pipInstallInContainer(
  targetId: string,
  indexUrl: string,
  packages: readonly string[],
  modules: readonly string[],
  name: string,
): Promise<string> {
  const python = interpreterPath('3.11');
  const script = [
    'import subprocess, sys, importlib',
    `r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check", "--target", "/tmp/t", "--index-url", sys.argv[1]] + sys.argv[3:])`,
    'if r.returncode: sys.exit(r.returncode)',
    'sys.path.insert(0, "/tmp/t")',
    'for m in sys.argv[2].split(","):',
    '    importlib.import_module(m); print("imported", m)',
  ].join('\n');
  const { stdout, stderr } = await run(
    'docker',
    [
      'run', '--rm', '--name', name, '--network', 'host', '--user', '1000:1000', '-e', 'HOME=/tmp',
      '--platform', getTarget(targetId).platform,
      `farm/builder-${targetId}:bootstrap-py3.11`,
      python, '-c', script, indexUrl, modules.join(','), ...packages,
    ],
    { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout + stderr;
}

/** Containers (any state) carrying a label value. */
export async function containersLabelled(label: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
