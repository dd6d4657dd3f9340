import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths, type RepositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeWheel } from './support/make-wheel.js';
import { snapshot, tempDir } from './support/tree.js';

let root: string;
let work: string;
let paths: RepositoryPaths;
beforeEach(async () => {
  root = tempDir('incremental');
  work = tempDir('incremental-work');
  paths = repositoryPaths(root, 'glibc');
  await addWheels({
    root,
    repository: 'glibc',
    paths: ['alpha', 'beta', 'gamma'].map((name) => writeWheel(work, { name, version: '1.0' })),
  });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

/** Published files (not farm's state) → content hash. */
function published(): Record<string, string> {
  const all = snapshot(paths.dir);
  return Object.fromEntries(Object.entries(all).filter(([f]) => !f.startsWith('.farm') && !f.startsWith('packages')));
}

describe('incremental regeneration', () => {
  it('rewrites only the changed project and the root pages that depend on what changed', async () => {
    const before = published();
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: 'beta', version: '2.0' })] });
    const after = published();
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]).sort();
    // beta's pages, the new wheel's page, the repository home page (wheel count) and the one
    // chunk of the project list holding beta (latest version moved); the PEP 503/691 root lists names only.
    expect(changed).toEqual([
      'index.html',
      'project/beta/beta-2.0-py3-none-any.whl.html',
      'projects/alpha.html',
      'projects/alpha.json',
      'simple/beta/index.html',
      'simple/beta/index.json',
      'simple/beta/json',
      'simple/beta/project.html',
    ]);

    await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: 'delta', version: '1.0' })] });
    const third = published();
    const changedAgain = Object.keys(third).filter((f) => third[f] !== after[f]).sort();
    expect(changedAgain).toEqual([
      'index.html',
      'project/delta/delta-1.0-py3-none-any.whl.html',
      'projects/alpha.html',
      'projects/alpha.json',
      'simple/delta/index.html',
      'simple/delta/index.json',
      'simple/delta/json',
      'simple/delta/project.html',
      'simple/index.html',
      'simple/index.json',
    ]);
  });

  it('leaves the index exactly as a full regeneration would (the summary log stays consistent)', async () => {
    for (let i = 0; i < 5; i++) {
      await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: ['alpha', 'epsilon'][i % 2]!, version: `3.${i}` })] });
    }
    const incremental = published();
    const full = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(full).toMatchObject({ mode: 'full', projectsRendered: 0, rootWritten: false, projects: 4 });
    expect(published()).toEqual(incremental);

    // Start from nothing but the inventory: same pages.
    for (const entry of ['simple', 'pypi', 'index.html', '.farm/index-summary.json', '.farm/index-summary.log']) {
      fs.rmSync(path.join(paths.dir, entry), { recursive: true, force: true });
    }
    const rebuilt = await regenerateIndex({ root, repository: 'glibc' });
    expect(rebuilt.mode).toBe('full');
    expect(published()).toEqual(incremental);
  });

  it('survives a torn summary log line (a crash mid-append): the project is still dirty and is redone', async () => {
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: 'alpha', version: '2.0' })] });
    fs.appendFileSync(path.join(paths.state, 'index-summary.log'), '["u","gamma","gam');
    fs.writeFileSync(path.join(paths.dirty, 'gamma'), '');
    const result = await regenerateIndex({ root, repository: 'glibc' });
    expect(result.mode).toBe('incremental');
    // Later appends still count: the summary knows gamma 3.0 and beta 2.0.
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: 'gamma', version: '3.0' })] });
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(work, { name: 'beta', version: '2.0' })] });
    const log = fs.readFileSync(path.join(paths.state, 'index-summary.log'), 'utf8');
    expect(log).toContain('["u","gamma","gam\n["u","gamma","gamma","3.0"');
    const full = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(full).toMatchObject({ projectsRendered: 0, rootWritten: false });
  });

  it('a corrupt inventory file is reported, and its project keeps its pages', async () => {
    const before = published();
    fs.writeFileSync(path.join(paths.inventory, 'beta.json'), '{"format":1,"project":"beta"');
    fs.rmSync(path.join(paths.state, 'index-summary.json'));
    const result = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(result.problems).toEqual([{ file: path.join(paths.inventory, 'beta.json'), message: expect.stringContaining('beta.json: invalid') as unknown }]);
    expect(published()['simple/beta/index.html']).toBe(before['simple/beta/index.html']);
  });
});
