/**
 * Issue 6, "Must show" with real Docker, Redis and pip: a fixture whose C code
 * includes yaml.h, which the glibc bootstrap image lacks.
 *
 * 1. Without a recipe the build fails on glibc-x86_64 and the log has the
 *    compiler's error; farmfix-cext (no recipe needed) builds.
 * 2. With `recipes/farmfix-yaml.yaml` (apt: libyaml-dev) the container
 *    installs the package from Debian's mirror, the build succeeds and the
 *    wheel passes the smoke test (a row is `built` only after it did).
 * 3. After editing that recipe, the next request rebuilds farmfix-yaml and
 *    nothing else: every other row is `cached`.
 *
 * Runs through the pipeline's public contract (`openEngine` with embedded
 * workers); needs the glibc-x86_64 bootstrap image, which it builds from the
 * Debian mirror when missing (idempotent, shared with the images tests).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FarmConfig } from '../../../src/config/schema.js';
import { bootstrapImages } from '../../../src/images/bootstrap-images.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { PackageRow, RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { isPureWheel, parseWheelFilename } from '../../../src/wheels/wheel-filename.js';
import { isWheelInstallable } from '../../../src/wheels/compatibility.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { makeSdist } from '../../support/upstream/make-sdist.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';

const TARGET = 'glibc-x86_64';
const PYTHON = '3.11';
const FIXTURE = fileURLToPath(new URL('./fixtures/farmfix-yaml/', import.meta.url));
const REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Every Redis key and temp dir of this file starts with it. */
const AREA = `farm-test-recipes-${randomUUID().slice(0, 8)}`;

const RECIPE = `# test recipe: yaml.h comes from libyaml-dev
packages:
  apt: [libyaml-dev]
  apk: [yaml-dev]
  dnf: [libyaml-devel]
importNames: [farmfix_yaml, farmfix_yaml._yamlh]
`;

let work: string;
let recipesDir: string;
let server: StaticServer;
let engine: Engine;
let requirements: string;

const row = (status: RequestStatus, name: string): PackageRow => {
  const found = status.rows.find((r) => r.name === name && r.target === TARGET && r.python === PYTHON);
  if (found === undefined) throw new Error(`no row for ${name} in ${JSON.stringify(status.rows, null, 2)}`);
  return found;
};

async function request(): Promise<RequestStatus> {
  const id = await engine.submit({ requirements: [requirements], targets: [TARGET], python: [PYTHON] });
  return engine.wait(id, { timeoutMs: 25 * 60_000 });
}

beforeAll(async () => {
  await bootstrapImages({ targets: [TARGET], python: [PYTHON] });

  work = await mkdtemp(path.join(os.tmpdir(), `${AREA}-`));
  recipesDir = path.join(work, 'recipes');
  await mkdir(recipesDir);
  const upstreamDir = path.join(work, 'upstream');
  const sdists = path.join(work, 'sdists');
  await mkdir(sdists, { recursive: true });
  const yamlSdist = await makeSdist(FIXTURE, sdists);
  await buildUpstream(upstreamDir, {
    fixtures: ['farmfix-cext'],
    extraFiles: [path.join(sdists, yamlSdist.filename)],
  });
  server = await serveStatic(upstreamDir);

  requirements = path.join(work, 'requirements.txt');
  await writeFile(requirements, 'farmfix-yaml==0.1\nfarmfix-cext==1.0\n');

  const config = FarmConfig.parse({
    root: path.join(work, 'repo'),
    redis: { url: REDIS_URL },
    docker: { hosts: [{ name: 'local', url: 'unix:///var/run/docker.sock', network: 'host' }] },
    upstream: { indexUrl: `${server.url}/simple/` },
    images: { source: 'bootstrap' },
    python: [PYTHON],
    recipes: { dir: recipesDir },
  });
  engine = await openEngine(config, { prefix: AREA, workers: { targets: [TARGET] } });
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${AREA}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('a recipe turns a failing build into a working one, and is part of the cache key', () => {
  let built: PackageRow;

  it('fails without its recipe, with the compiler error in the log', async () => {
    const status = await request();
    const yaml = row(status, 'farmfix-yaml');
    expect(yaml.state).toBe('failed');
    expect(yaml.logPath).toBeDefined();
    const log = await readFile(yaml.logPath!, 'utf8');
    expect(log).toMatch(/yaml\.h: No such file or directory/);
    expect(row(status, 'farmfix-cext').state).toBe('built');
  });

  it('builds with the recipe: apt installs libyaml-dev from the mirror, the wheel passes the smoke test', async () => {
    await writeFile(path.join(recipesDir, 'farmfix-yaml.yaml'), RECIPE);
    const status = await request();
    built = row(status, 'farmfix-yaml');
    expect(built.state, built.error).toBe('built');
    const log = await readFile(built.logPath!, 'utf8');
    expect(log).toContain('apt-get');
    expect(log).toContain('libyaml-dev');
    // Built means the smoke test imported both recipe importNames.
    expect(log).toContain('farmfix_yaml._yamlh');

    const wheel = built.wheel!;
    expect(isPureWheel(wheel)).toBe(false);
    expect(parseWheelFilename(wheel).name).toBe('farmfix-yaml');
    expect(isWheelInstallable(wheel, getTarget(TARGET), PYTHON)).toBe(true);
    expect(await readdir(path.join(work, 'repo', built.repository!, 'packages'))).toContain(wheel);
    // farmfix-cext was built by the first request: the recipe of another project does not touch it.
    expect(row(status, 'farmfix-cext').state).toBe('cached');
  });

  it('after editing the recipe, the next request rebuilds that package and nothing else', async () => {
    await writeFile(
      path.join(recipesDir, 'farmfix-yaml.yaml'),
      `${RECIPE}env:\n  FARMFIX_RECIPE_EDIT: "2"\n`,
    );
    const status = await request();
    const rebuilt = row(status, 'farmfix-yaml');
    expect(rebuilt.state, rebuilt.error).toBe('built');
    expect(rebuilt.jobId).toBeDefined();
    expect(rebuilt.jobId).not.toBe(built.jobId);
    const others = status.rows.filter((r) => r.name !== 'farmfix-yaml');
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other.state, other.name).toBe('cached');
  });
});
