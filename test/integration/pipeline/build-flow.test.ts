/**
 * The main scenario of the build pipeline, on real Redis, Docker, the
 * bootstrap images and pip: seven fixture packages over glibc-x86_64,
 * glibc-armv7 (qemu) and musl-x86_64; then the same request again. One
 * built state serves every assertion (CI time: armv7 runs under emulation).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import { FarmKeys } from '../../../src/pipeline/store/keys.js';
import type { RequestEvent, RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { parseWheelFilename } from '../../../src/wheels/wheel-filename.js';
import {
  FIXTURE_REQUIREMENTS,
  REDIS_URL,
  docker,
  dropPrefix,
  farmConfig,
  pipInstallInContainer,
  randomId,
  recordContainerStarts,
  removeVolumes,
  startUpstream,
  strayFiles,
  wheelsIn,
  type ContainerStart,
  type TestUpstream,
} from './helpers.js';
import { requestedRows } from '../../support/request-rows.js';

const TARGETS = ['glibc-x86_64', 'glibc-armv7', 'musl-x86_64'];
const id = randomId();
const prefix = `farm-it-pipeline-${id}`;
const volumePrefix = `farm-pipeline-it-${id}-`;

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let recorder: Awaited<ReturnType<typeof recordContainerStarts>>;
let first: RequestStatus;
let firstEvents: RequestEvent[];

/** `<name>-<version>-<tags>`: the platform tag must be the target's (linux_* or the libc's policy tag). */
function platformOf(wheel: string): string {
  return parseWheelFilename(wheel).platformTags.join('.');
}

beforeAll(async () => {
  for (const target of TARGETS) {
    const image = `farm/builder-${target}:bootstrap-py3.11`;
    const present = await docker
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (!present) throw new Error(`${image} is missing: run farm images bootstrap --targets ${TARGETS.join(',')}`);
  }
  up = await startUpstream();
  config = farmConfig(up.dir, `${up.server.url}/simple/`);
  recorder = await recordContainerStarts();
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  const requirements = path.join(up.dir, 'requirements.txt');
  await import('node:fs/promises').then((fs) => fs.writeFile(requirements, `${FIXTURE_REQUIREMENTS}\n`));
  const requestId = await engine.submit({ requirements: [requirements], targets: TARGETS });
  firstEvents = [];
  for await (const event of engine.watch(requestId)) firstEvents.push(event);
  first = await engine.status(requestId);
});

afterAll(async () => {
  recorder?.stop();
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('a request over three targets', () => {
  it('finishes, reporting every package on every target', () => {
    expect(first.state).toBe('done');
    const byTarget = (t: string) => requestedRows(first).filter((r) => r.target === t).map((r) => r.name).sort();
    // The build backend's own requirements are rows too, marked as build dependencies.
    const buildDeps = first.rows.filter((r) => r.buildDependency === true).map((r) => `${r.name} ${r.target}`);
    expect(buildDeps).toEqual(expect.arrayContaining(['setuptools glibc-x86_64', 'wheel musl-x86_64', 'setuptools glibc-armv7']));
    expect(byTarget('glibc-x86_64')).toEqual(['farmfix-a', 'farmfix-b', 'farmfix-broken', 'farmfix-c', 'farmfix-cext', 'farmfix-purewheel', 'farmfix-x86only']);
    expect(byTarget('musl-x86_64')).toEqual(byTarget('glibc-x86_64'));
    // The marker excluded it on armv7: pip never saw it there.
    expect(byTarget('glibc-armv7')).toEqual(['farmfix-a', 'farmfix-b', 'farmfix-broken', 'farmfix-c', 'farmfix-cext', 'farmfix-purewheel']);
  });

  it('publishes exactly the expected wheels, with the right tags', async () => {
    const root = config.root;
    const glibc = await wheelsIn(root, 'glibc');
    const musl = await wheelsIn(root, 'musl');
    const names = (files: string[]) => files.map((f) => `${parseWheelFilename(f).name} ${platformOf(f)}`).sort();
    // No auditwheel in the bootstrap images: compiled wheels keep linux_*, safe in libc-separated repositories.
    expect(names(glibc)).toEqual([
      'farmfix-a any',
      'farmfix-b any',
      'farmfix-c linux_armv7l',
      'farmfix-c linux_x86_64',
      'farmfix-cext linux_armv7l',
      'farmfix-cext linux_x86_64',
      'farmfix-purewheel any',
      'farmfix-x86only linux_x86_64',
      'setuptools any',
      'wheel any',
    ]);
    expect(names(musl)).toEqual([
      'farmfix-a any',
      'farmfix-b any',
      'farmfix-c linux_x86_64',
      'farmfix-cext linux_x86_64',
      'farmfix-purewheel any',
      'farmfix-x86only linux_x86_64',
      'setuptools any',
      'wheel any',
    ]);
    for (const wheel of [...glibc, ...musl]) expect(parseWheelFilename(wheel).pythonTags[0]).toMatch(/^(py3|cp311)$/);
    expect(await strayFiles(root, 'glibc')).toEqual([]);
    expect(await strayFiles(root, 'musl')).toEqual([]);
  });

  it('builds a pure wheel once (stored once per repository), mirrors once per repository', () => {
    const row = (name: string, target: string) => first.rows.find((r) => r.name === name && r.target === target)!;
    expect(row('farmfix-a', 'glibc-x86_64')).toMatchObject({ state: 'built', wheel: 'farmfix_a-1.0-py3-none-any.whl' });
    expect(row('farmfix-a', 'glibc-armv7')).toMatchObject({ state: 'built', wheel: 'farmfix_a-1.0-py3-none-any.whl' });
    expect(row('farmfix-a', 'glibc-armv7').reason).toMatch(/pure-Python wheel/);
    expect(row('farmfix-purewheel', 'glibc-x86_64').state).toBe('mirrored');
    expect(row('farmfix-purewheel', 'glibc-armv7').jobId).toBe(row('farmfix-purewheel', 'glibc-x86_64').jobId);
    expect(row('farmfix-a', 'musl-x86_64')).toMatchObject({ state: 'built', wheel: 'farmfix_a-1.0-py3-none-any.whl' });
    expect(row('farmfix-a', 'musl-x86_64').reason).toMatch(/collected into musl/);
    // Ground truth: farmfix-a's containers ran once, on glibc-x86_64 (build + smoke test).
    const aStarts = recorder.starts.filter((s) => s.request === first.id && s.job.startsWith('build-farmfix-a-'));
    expect(aStarts.map((s) => s.target)).toEqual(['glibc-x86_64', 'glibc-x86_64']);
  });

  it('reports the broken package as failed, with the compiler error in its log', async () => {
    const broken = first.rows.filter((r) => r.name === 'farmfix-broken');
    expect(broken.map((r) => r.state)).toEqual(['failed', 'failed', 'failed']);
    for (const row of broken) {
      expect(row.error).toMatch(/farmfix_undeclared_identifier/);
      const log = await readFile(await engine.logPath(first.id, 'farmfix-broken', row.target), 'utf8');
      expect(log).toMatch(/_bad\.c:\d+:\d+: error: .farmfix_undeclared_identifier. undeclared/);
    }
  });

  it('regenerates each index exactly once', async () => {
    expect(first.indexedRepositories).toEqual(['glibc', 'musl']);
    const redis = new Redis(REDIS_URL);
    const keys = new FarmKeys(prefix);
    expect(await redis.get(keys.indexRuns('glibc'))).toBe('1');
    expect(await redis.get(keys.indexRuns('musl'))).toBe('1');
    redis.disconnect();
    expect(firstEvents.filter((e) => e.type === 'message' && e.text.startsWith('index of')).map((e) => (e as { text: string }).text)).toEqual([
      'index of glibc regenerated',
      'index of musl regenerated',
    ]);
    const page = await readFile(path.join(config.root, 'glibc', 'simple', 'farmfix-cext', 'index.html'), 'utf8');
    expect(page).toMatch(/farmfix_cext-1\.0-cp311-cp311-linux_armv7l\.whl#sha256=[0-9a-f]{64}/);
  });

  it('lets pip install the set from farm’s index in a fresh container of each target', async () => {
    const { serveStatic } = await import('../../support/upstream/static-server.js');
    const farmIndex = await serveStatic(config.root);
    try {
      for (const target of TARGETS) {
        const repo = target.startsWith('musl') ? 'musl' : 'glibc';
        const packages = ['farmfix-a', 'farmfix-cext', 'farmfix-purewheel', ...(target === 'glibc-armv7' ? [] : ['farmfix-x86only'])];
        const modules = ['farmfix_a', 'farmfix_cext', 'farmfix_purewheel', ...(target === 'glibc-armv7' ? [] : ['farmfix_x86only'])];
        const output = await pipInstallInContainer(target, `${farmIndex.url}/${repo}/simple/`, packages, modules, `farm-pipeline-it-${id}-pip-${target}`);
        for (const m of modules) expect(output).toContain(`imported ${m}`);
      }
    } finally {
      await farmIndex.close();
    }
  });
});

describe('the same request again', () => {
  let second: RequestStatus;
  let starts: ContainerStart[];

  beforeAll(async () => {
    const requestId = await engine.submit({ requirements: [path.join(up.dir, 'requirements.txt')], targets: TARGETS });
    second = await engine.wait(requestId);
    starts = recorder.starts.filter((s) => s.request === requestId);
  });

  it('starts zero build containers', () => {
    expect(starts.filter((s) => s.job.startsWith('build-'))).toEqual([]);
    // Only the three resolutions ran in containers.
    expect(starts.map((s) => s.job).every((j) => j.startsWith('resolve-'))).toBe(true);
  });

  it('reports everything as cached; the deterministic failure as failed before, not rebuilt', () => {
    expect(second.state).toBe('done');
    const states = new Set(second.rows.filter((r) => r.name !== 'farmfix-broken').map((r) => r.state));
    expect([...states]).toEqual(['cached']);
    for (const row of second.rows.filter((r) => r.name === 'farmfix-broken')) {
      expect(row.state).toBe('failed');
      expect(row.reason).toMatch(/failed before with the same sdist, image and recipe/);
    }
    expect(second.indexedRepositories).toEqual([]);
  });
});
