/**
 * Issue 12 with real third-party releases (test/support/upstream/real-releases.ts:
 * Debian's orig tarballs of upstream sdists, pycparser and ply as the pure
 * wheels upstream ships), on real Docker, Redis and pip:
 *
 * - a cffi-based chain: xattr 0.10.1 names cffi only as `setup_requires`, so
 *   only the PEP 517 hook finds it; cffi 1.15.1 is built first with farm's
 *   shipped recipe (libffi's headers), and xattr's compile installs it (with
 *   pycparser and ply) from farm's repository, offline;
 * - cffi's `_cffi_backend` links libffi, which is not part of the target's
 *   base system: farm vendors it;
 * - python-lzo 1.15 links liblzo2 (its recipe installs liblzo2-dev): the
 *   published wheel carries it and works in a clean container.
 *
 * FARM_TEST_REAL_TARGETS picks the targets (default glibc-x86_64).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { fetchRealReleases } from '../../support/upstream/real-releases.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { docker, dropPrefix, explainRow, farmConfig, randomId, removeVolumes } from './helpers.js';
import { mkdtemp, rm } from 'node:fs/promises';

const run = promisify(execFile);
const TARGETS = (process.env['FARM_TEST_REAL_TARGETS'] ?? 'glibc-x86_64').split(',');
const id = randomId();
const prefix = `farm-it-real-${id}`;
const volumePrefix = `farm-real-it-${id}-`;

let dir: string;
let server: StaticServer;
let config: FarmConfig;
let engine: Engine;
let status: RequestStatus;

const rowOf = (name: string, target: string) => status.rows.find((r) => r.name === name && r.target === target)!;
const buildOf = (name: string, target: string) =>
  readProjectInventory(repositoryPaths(config.root, 'glibc'), name)!.files.find((f) => f.filename === rowOf(name, target).wheel)!.build!;

beforeAll(async () => {
  for (const target of TARGETS) await docker.getImage(`farm/builder-${target}:bootstrap-py3.11`).inspect();
  dir = await mkdtemp('/tmp/farm-real-it-');
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: [], extraFiles: await fetchRealReleases() });
  server = await serveStatic(path.join(dir, 'upstream'));
  const recipes = path.join(dir, 'recipes');
  await mkdir(recipes);
  await writeFile(path.join(recipes, 'python-lzo.yaml'), 'packages:\n  apt: [liblzo2-dev]\nimportNames: [lzo]\n');
  config = farmConfig(dir, `${server.url}/simple/`, `recipes: { dir: ${recipes} }`);
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  const requirements = path.join(dir, 'requirements.txt');
  await writeFile(requirements, 'xattr==0.10.1\npython-lzo==1.15\n');
  status = await engine.wait(await engine.submit({ requirements: [requirements], targets: TARGETS }), { timeoutMs: 90 * 60_000 });
});

afterAll(async () => {
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('real releases: a cffi chain and a library to vendor', () => {
  it('builds xattr, cffi and python-lzo on every target; pycparser and ply are mirrored', async () => {
    expect(status.state).toBe('done');
    for (const target of TARGETS) {
      for (const name of ['xattr', 'cffi', 'python-lzo']) expect(rowOf(name, target), await explainRow(rowOf(name, target))).toMatchObject({ state: 'built' });
      for (const name of ['pycparser', 'ply']) expect(['mirrored', 'shared']).toContain(rowOf(name, target).state);
    }
  });

  it('found cffi through the PEP 517 hook and compiled xattr offline with farm’s cffi', async () => {
    for (const target of TARGETS) {
      const build = buildOf('xattr', target);
      expect(build.network).toBe('none');
      const deps = Object.fromEntries((build.buildDependencies ?? []).map((d) => [d.name, d.filename]));
      expect(deps['cffi']).toBe(rowOf('cffi', target).wheel);
      expect(deps['pycparser']).toBe('pycparser-2.21-py3-none-any.whl');
      expect(deps['ply']).toBe('ply-3.11-py3-none-any.whl');
    }
  });

  it('vendored libffi into cffi and liblzo2 into python-lzo', () => {
    for (const target of TARGETS) {
      expect(buildOf('cffi', target).vendoredLibraries?.map((l) => l.soname)).toEqual(['libffi.so.8']);
      expect(buildOf('python-lzo', target).vendoredLibraries?.map((l) => [l.soname, l.package])).toEqual([['liblzo2.so.2', 'liblzo2-2']]);
    }
  });

  it('installs xattr and python-lzo from farm’s index in a clean container, and they work', async () => {
    const index = await serveStatic(config.root);
    try {
      for (const target of TARGETS) {
        const script = [
          'import subprocess, sys',
          'r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check", "--target", "/tmp/t", "--index-url", sys.argv[1], "xattr", "python-lzo"])',
          'if r.returncode: sys.exit(r.returncode)',
          'sys.path.insert(0, "/tmp/t")',
          'import xattr, lzo, cffi',
          'data = b"farm " * 1000',
          'print("lzo round trip", lzo.decompress(lzo.compress(data)) == data)',
          'print("xattr", xattr.__version__, "cffi", cffi.__version__)',
        ].join('\n');
        const { stdout } = await run(
          'docker',
          ['run', '--rm', '--network', 'host', '--user', '1000:1000', '-e', 'HOME=/tmp', '--platform', getTarget(target).platform, `farm/builder-${target}:bootstrap-py3.11`, '/opt/python/cp311-cp311/bin/python', '-c', script, `${index.url}/glibc/simple/`],
          { timeout: 15 * 60_000 },
        );
        expect(stdout).toContain('lzo round trip True');
        expect(stdout).toContain('xattr 0.10.1 cffi 1.15.1');
      }
    } finally {
      await index.close();
    }
  });
});
