/**
 * Issue 12, "Must show" 3: the compile runs with the network off. A build
 * that downloads while it compiles (farmfix-netfetch fetches a URL in its
 * setup.py) fails with a message naming what it tried to fetch and how to
 * allow it; with `network: true` (and a reason) in its recipe it builds, and
 * its provenance says the compile had the network and why.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { dropPrefix, farmConfig, randomId, removeVolumes, startUpstream, type TestUpstream } from './helpers.js';

const TARGET = 'glibc-x86_64';
const id = randomId();
const prefix = `farm-it-hermetic-${id}`;
const volumePrefix = `farm-hermetic-it-${id}-`;

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let recipesDir: string;
let fetchUrl: string;
let offline: RequestStatus;
let online: RequestStatus;

async function request(): Promise<RequestStatus> {
  const file = path.join(up.dir, 'requirements.txt');
  await writeFile(file, 'farmfix-netfetch\n');
  return engine.wait(await engine.submit({ requirements: [file], targets: [TARGET] }), { timeoutMs: 30 * 60_000 });
}

beforeAll(async () => {
  up = await startUpstream();
  // Something the build can fetch when it may: the upstream index's root page.
  // (/simple/, not /simple/index.html: the test server reads a second path part as a project name.)
  fetchUrl = `${up.server.url}/simple/`;
  recipesDir = path.join(up.dir, 'recipes');
  await mkdir(recipesDir);
  await writeFile(path.join(recipesDir, 'farmfix-netfetch.yaml'), `env:\n  FARMFIX_FETCH_URL: "${fetchUrl}"\n`);
  config = farmConfig(up.dir, `${up.server.url}/simple/`, `recipes: { dir: ${recipesDir} }`);
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  offline = await request();
  await writeFile(
    path.join(recipesDir, 'farmfix-netfetch.yaml'),
    `env:\n  FARMFIX_FETCH_URL: "${fetchUrl}"\nnetwork: true\nnetworkReason: "setup.py downloads a file while building"\n`,
  );
  online = await request();
});

afterAll(async () => {
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('a build that downloads while it compiles', () => {
  it('fails with the network off, naming what it tried to fetch and the recipe key that allows it', () => {
    const row = offline.rows.find((r) => r.name === 'farmfix-netfetch')!;
    expect(row.state).toBe('failed');
    expect(row.error).toContain(`the compile tried to reach the network, which is off while packages compile: ${fetchUrl}`);
    expect(row.error).toContain('set "network: true" with a "networkReason" in its recipe (recipes/farmfix-netfetch.yaml)');
  });

  it('builds with network: true in its recipe, and its provenance says so', () => {
    const row = online.rows.find((r) => r.name === 'farmfix-netfetch')!;
    expect(row.state, row.error).toBe('built');
    const record = readProjectInventory(repositoryPaths(config.root, 'glibc'), 'farmfix-netfetch')!.files.find((f) => f.filename === row.wheel)!;
    expect(record.build).toMatchObject({ network: 'host', networkReason: 'setup.py downloads a file while building' });
  });
});
