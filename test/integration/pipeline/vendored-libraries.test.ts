/**
 * Issue 12, "Must show" 2, and issue 14, point 6, on real Docker, Redis and
 * pip with the bootstrap images (which have no auditwheel).
 *
 * farmfix-jpeg's extension links libjpeg, which its recipe installs
 * (`libjpeg62-turbo-dev`) with a `before` command beside it. On
 * glibc-x86_64 and glibc-armv7 (qemu):
 *
 * - the published wheel carries libjpeg (`farmfix_jpeg.libs/`), says so in
 *   its provenance and in the index (`_farm`), and installs and imports in a
 *   fresh container of the builder image, where no libjpeg is installed;
 * - the recipe's privileged phase ran apart (its `before` marker is in the
 *   build image) while the compile ran as uid 1000 with no capability at
 *   all (the wheel records both).
 *
 * Then, on glibc-x86_64, the recipe lists libjpeg as a runtime package
 * instead: the rebuilt wheel does not vendor it, its smoke test installed it
 * first, and the project page tells users to `apt install` it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { docker, dropPrefix, explainRow, farmConfig, randomId, removeVolumes, startUpstream, type TestUpstream } from './helpers.js';
import { serveStatic } from '../../support/upstream/static-server.js';

const run = promisify(execFile);
const TARGETS = (process.env['FARM_TEST_VENDOR_TARGETS'] ?? 'glibc-x86_64,glibc-armv7').split(',');
const id = randomId();
const prefix = `farm-it-vendor-${id}`;
const volumePrefix = `farm-vendor-it-${id}-`;
const RECIPE = [
  'packages:',
  '  apt: [libjpeg62-turbo-dev]',
  'before:',
  '  - ["touch", "/etc/farmfix-jpeg-before"]',
  'importNames: [farmfix_jpeg, farmfix_jpeg._jpeg]',
  '',
].join('\n');
const RUNTIME_RECIPE = `${RECIPE}runtimePackages:\n  apt: [libjpeg62-turbo]\n`;

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let recipesDir: string;
let first: RequestStatus;

const rowOf = (status: RequestStatus, target: string) => status.rows.find((r) => r.name === 'farmfix-jpeg' && r.target === target)!;
const recordOf = (wheel: string) => readProjectInventory(repositoryPaths(config.root, 'glibc'), 'farmfix-jpeg')!.files.find((f) => f.filename === wheel)!;

async function request(): Promise<RequestStatus> {
  const file = path.join(up.dir, 'requirements.txt');
  await writeFile(file, 'farmfix-jpeg\n');
  return engine.wait(await engine.submit({ requirements: [file], targets: TARGETS }), { timeoutMs: 60 * 60_000 });
}

/**
 * In a fresh container of the target's builder image, as a user would:
 * check libjpeg is absent, pip install from farm's index, import, call libjpeg, print the build record.
 */
async function installOnCleanMachine(target: string, indexUrl: string): Promise<string> {
  const script = [
    'import glob, subprocess, sys',
    'print("system libjpeg:", glob.glob("/usr/lib/*/libjpeg*") + glob.glob("/usr/lib/libjpeg*"))',
    'r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check", "--target", "/tmp/t", "--index-url", sys.argv[1], "farmfix-jpeg"])',
    'if r.returncode: sys.exit(r.returncode)',
    'sys.path.insert(0, "/tmp/t")',
    'import farmfix_jpeg, farmfix_jpeg._build_info as info',
    'print("libjpeg version", farmfix_jpeg.check())',
    'print("built by uid", info.uid, "CapEff", info.cap_eff, "before ran", info.before_ran)',
  ].join('\n');
  const argv = ['run', '--rm', '--network', 'host', '--user', '1000:1000', '-e', 'HOME=/tmp', '--platform', getTarget(target).platform];
  const image = `farm/builder-${target}:bootstrap-py3.11`;
  const { stdout } = await run('docker', [...argv, image, '/opt/python/cp311-cp311/bin/python', '-c', script, indexUrl], { timeout: 15 * 60_000 });
  return stdout;
}

beforeAll(async () => {
  for (const target of TARGETS) await docker.getImage(`farm/builder-${target}:bootstrap-py3.11`).inspect();
  up = await startUpstream();
  recipesDir = path.join(up.dir, 'recipes');
  await mkdir(recipesDir);
  await writeFile(path.join(recipesDir, 'farmfix-jpeg.yaml'), RECIPE);
  config = farmConfig(up.dir, `${up.server.url}/simple/`, `recipes: { dir: ${recipesDir} }`);
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  first = await request();
});

afterAll(async () => {
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('a wheel whose extension links a library the target machine lacks', () => {
  it('is built on every target, with libjpeg vendored into it', async () => {
    expect(first.state).toBe('done');
    for (const target of TARGETS) {
      const row = rowOf(first, target);
      expect(row.state, await explainRow(row)).toBe('built');
      const build = recordOf(row.wheel!).build!;
      expect(build.repair).toBe('vendored');
      expect(build.vendoredLibraries).toEqual([
        { soname: 'libjpeg.so.62', path: expect.stringMatching(/^farmfix_jpeg\.libs\/libjpeg-[0-9a-f]{8}\.so\.62$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), package: 'libjpeg62-turbo' },
      ]);
      expect(build.systemPackages).toEqual({ manager: 'apt', packages: ['libjpeg62-turbo-dev'] });
      expect(build.buildImage).toMatch(/^farm\/derived-/);
    }
  });

  it('installs and imports in a fresh container of each target without libjpeg, and was compiled unprivileged', async () => {
    const index = await serveStatic(config.root);
    try {
      for (const target of TARGETS) {
        const out = await installOnCleanMachine(target, `${index.url}/glibc/simple/`);
        expect(out).toContain('system libjpeg: []');
        expect(out).toContain('libjpeg version 62');
        // Issue 14.6: the privileged step ran (in the derived image), the compile as uid 1000 with no capabilities.
        expect(out).toContain('built by uid 1000 CapEff 0000000000000000 before ran True');
      }
    } finally {
      await index.close();
    }
  });

  it('shows the vendored library in the JSON index (_farm) and on the project page', async () => {
    const json = JSON.parse(await readFile(path.join(config.root, 'glibc', 'simple', 'farmfix-jpeg', 'index.json'), 'utf8')) as { files: { filename: string; _farm?: { vendoredLibraries?: unknown[] } }[] };
    for (const file of json.files) expect(file._farm?.vendoredLibraries).toHaveLength(1);
    const html = await readFile(path.join(config.root, 'glibc', 'simple', 'farmfix-jpeg', 'index.html'), 'utf8');
    expect(html).toMatch(/includes libjpeg\.so\.62 \(libjpeg62-turbo\)/);
  });
});

describe('the same library as a runtime package of the recipe (glibc-x86_64)', () => {
  let second: RequestStatus;
  beforeAll(async () => {
    await writeFile(path.join(recipesDir, 'farmfix-jpeg.yaml'), RUNTIME_RECIPE);
    second = await request();
  });

  it('is rebuilt without vendoring it, and smoke-tested with the package installed', async () => {
    const row = rowOf(second, 'glibc-x86_64');
    expect(row.state).toBe('built');
    const build = recordOf(row.wheel!).build!;
    expect(build.repair).toBe('none');
    expect(build.vendoredLibraries).toBeUndefined();
    expect(build.runtimePackages).toEqual([{ manager: 'apt', packages: ['libjpeg62-turbo'] }]);
    expect(await readFile(row.logPath!, 'utf8')).toMatch(/smoke test: import farmfix_jpeg\._jpeg: ok/);
  });

  it('tells users on the project page which package to install', async () => {
    const html = await readFile(path.join(config.root, 'glibc', 'simple', 'farmfix-jpeg', 'index.html'), 'utf8');
    expect(html).toContain('needs system packages: <code>apt install libjpeg62-turbo</code>');
  });
});
