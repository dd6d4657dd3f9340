/**
 * Issue 12, "Must show" 1, on real Redis, Docker, pip and the bootstrap
 * images: farmfix-usehelper needs farmfix-helper to build (its
 * `build-system.requires`), a C-extension helper that upstream has only as an
 * sdist and that builds only with its own recipe (like cffi and libffi's
 * headers). On glibc-x86_64, glibc-armv7 (qemu) and musl-x86_64:
 *
 * - the helper is built once per target, with its recipe, and published;
 * - the dependent's compile runs with the network off (Docker's network
 *   events: its compile container joined `none`) and installs the helper
 *   from farm's repository (its provenance names the published wheel and its
 *   sha256);
 * - Docker events show exactly one compile of the helper per target;
 * - a second request for farmfix-usehelper2, which needs the same helper only
 *   through the PEP 517 hook (`setup_requires`), compiles no helper again.
 *
 * FARM_TEST_BUILD_DEP_TARGETS narrows the targets (default all three).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { parse as parseYaml } from 'yaml';
import { effectiveRecipe, recipeHash } from '../../../src/recipes/effective-recipe.js';
import { Recipe } from '../../../src/recipes/recipe-schema.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { followNetworkConnects, type NetworkConnect } from '../../support/docker-events.js';
import { docker, dropPrefix, farmConfig, pipInstallInContainer, randomId, recordContainerStarts, removeVolumes, startUpstream, type ContainerStart, type TestUpstream } from './helpers.js';

const TARGETS = (process.env['FARM_TEST_BUILD_DEP_TARGETS'] ?? 'glibc-x86_64,glibc-armv7,musl-x86_64').split(',');
const id = randomId();
const prefix = `farm-it-builddeps-${id}`;
const volumePrefix = `farm-builddeps-it-${id}-`;
const HELPER_RECIPE = '# The helper builds only with this environment (test/fixtures/packages/farmfix-helper/setup.py).\nenv:\n  FARMFIX_HELPER_RECIPE: "1"\n';

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let starts: { starts: ContainerStart[]; stop(): void };
const connects: NetworkConnect[] = [];
let stopConnects: () => void = () => {};
let first: RequestStatus;
let second: RequestStatus;

const repoOf = (target: string) => (target.startsWith('musl') ? 'musl' : 'glibc');
const rowOf = (status: RequestStatus, name: string, target: string) => status.rows.find((r) => r.name === name && r.target === target)!;
const compiles = (request: string, job: string) => starts.starts.filter((s) => s.request === request && s.step === 'compile' && s.job.startsWith(job));

async function submit(requirement: string): Promise<RequestStatus> {
  const file = path.join(up.dir, `${requirement}.txt`);
  await writeFile(file, `${requirement}\n`);
  return engine.wait(await engine.submit({ requirements: [file], targets: TARGETS }), { timeoutMs: 60 * 60_000 });
}

beforeAll(async () => {
  for (const target of TARGETS) await docker.getImage(`farm/builder-${target}:bootstrap-py3.11`).inspect();
  up = await startUpstream();
  const recipes = path.join(up.dir, 'recipes');
  await mkdir(recipes);
  await writeFile(path.join(recipes, 'farmfix-helper.yaml'), HELPER_RECIPE);
  config = farmConfig(up.dir, `${up.server.url}/simple/`, `recipes: { dir: ${recipes} }`);
  starts = await recordContainerStarts();
  stopConnects = (await followNetworkConnects(docker, (c) => connects.push(c))).stop;
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  first = await submit('farmfix-usehelper');
  second = await submit('farmfix-usehelper2');
});

afterAll(async () => {
  starts?.stop();
  stopConnects();
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('a package whose build needs a compiled helper upstream has only as an sdist', () => {
  it('builds the helper and the package on every target', () => {
    expect(first.state).toBe('done');
    for (const target of TARGETS) {
      expect(rowOf(first, 'farmfix-helper', target)).toMatchObject({ state: 'built' });
      expect(rowOf(first, 'farmfix-usehelper', target)).toMatchObject({ state: 'built' });
    }
  });

  it('compiles the helper exactly once per target (Docker events), with its recipe', async () => {
    for (const target of TARGETS) {
      const helper = rowOf(first, 'farmfix-helper', target);
      expect(compiles(first.id, 'build-farmfix-helper-').filter((s) => s.target === target)).toHaveLength(1);
      // Without its recipe the helper does not build at all; its provenance names the recipe it built with.
      const record = readProjectInventory(repositoryPaths(config.root, repoOf(target)), 'farmfix-helper')!.files.find((f) => f.filename === helper.wheel)!;
      expect(record.build?.recipeHash).toBe(recipeHash(effectiveRecipe(Recipe.parse(parseYaml(HELPER_RECIPE)), target, '1.0')));
      expect(await readFile(helper.logPath!, 'utf8')).toMatch(/Building wheel for farmfix-helper/);
    }
  });

  it('publishes the helper, and the dependent installed exactly that wheel from farm’s repository', async () => {
    for (const target of TARGETS) {
      const paths = repositoryPaths(config.root, repoOf(target));
      const helperWheel = rowOf(first, 'farmfix-helper', target).wheel!;
      const helperRecord = readProjectInventory(paths, 'farmfix-helper')!.files.find((f) => f.filename === helperWheel)!;
      const user = readProjectInventory(paths, 'farmfix-usehelper')!.files.find((f) => f.filename === rowOf(first, 'farmfix-usehelper', target).wheel)!;
      expect(user.build?.buildDependencies).toContainEqual({ name: 'farmfix-helper', version: '1.0', filename: helperWheel, sha256: helperRecord.sha256 });
      expect(user.build).toMatchObject({ network: 'none', target, sdist: { filename: 'farmfix_usehelper-1.0.tar.gz' } });
      const log = await readFile(rowOf(first, 'farmfix-usehelper', target).logPath!, 'utf8');
      expect(log).toContain(`install --no-index --no-deps --progress-bar off -- `);
      expect(log).toContain(`/repo/${helperWheel}`);
    }
  });

  it('compiles the dependent with the network off (its compile container joined network none)', () => {
    for (const target of TARGETS) {
      const compile = compiles(first.id, 'build-farmfix-usehelper-').filter((s) => s.target === target);
      expect(compile).toHaveLength(1);
      expect(connects.filter((c) => c.container === compile[0]!.id).map((c) => c.network)).toEqual(['none']);
    }
  });

  it('the setuptools and wheel the builds need are mirrored into each repository and shown as build dependencies', () => {
    for (const target of TARGETS) {
      const setuptools = first.rows.find((r) => r.name === 'setuptools' && r.target === target);
      expect(setuptools).toMatchObject({ buildDependency: true });
      expect(['mirrored', 'shared', 'cached']).toContain(setuptools!.state);
    }
  });

  it('installs and imports on each target from farm’s index', async () => {
    const { serveStatic } = await import('../../support/upstream/static-server.js');
    const farmIndex = await serveStatic(config.root);
    try {
      for (const target of TARGETS) {
        const output = await pipInstallInContainer(target, `${farmIndex.url}/${repoOf(target)}/simple/`, ['farmfix-usehelper'], ['farmfix_usehelper'], `farm-builddeps-it-${id}-pip-${target}`);
        expect(output).toContain('imported farmfix_usehelper');
      }
    } finally {
      await farmIndex.close();
    }
  });
});

describe('a second package needing the same helper (through the PEP 517 hook only)', () => {
  it('builds with the helper from the repository and compiles no helper again', () => {
    expect(second.state).toBe('done');
    for (const target of TARGETS) {
      expect(rowOf(second, 'farmfix-usehelper2', target)).toMatchObject({ state: 'built' });
      expect(rowOf(second, 'farmfix-helper', target)).toMatchObject({ state: 'cached', buildDependency: true });
    }
    expect(starts.starts.filter((s) => s.request === second.id && s.job.startsWith('build-farmfix-helper-'))).toEqual([]);
  });

  it('found the helper through get_requires_for_build_wheel (it is in no pyproject.toml)', async () => {
    const log = await readFile(Object.values(second.resolveLogs)[0]!, 'utf8');
    expect(log).toMatch(/farmfix-usehelper2==1\.0: build-system\.requires \['setuptools>=40\.8\.0'\], get_requires_for_build_wheel \[.*'farmfix-helper>=1\.0'.*\]/);
  });
});
