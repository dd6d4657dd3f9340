import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { repositoryPaths, type RepositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeProjectInventories } from './support/many-projects.js';
import { snapshot, tempDir } from './support/tree.js';

// Enough new projects for a full regeneration to create their directories on a worker thread.
const PROJECTS = 600;

let root: string;
let paths: RepositoryPaths;
beforeEach(() => {
  root = tempDir('background');
  paths = repositoryPaths(root, 'glibc');
  fs.mkdirSync(paths.inventory, { recursive: true });
  fs.mkdirSync(paths.packages, { recursive: true });
  writeProjectInventories(paths, PROJECTS);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('first publication of many projects (worker thread)', () => {
  it('publishes every project whole, the same bytes as the synchronous path', async () => {
    const first = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(first.projectsWritten).toBe(PROJECTS);
    const pages = snapshot(paths.simple);
    for (let i = 0; i < PROJECTS; i++) {
      for (const file of ['index.html', 'index.json', 'json']) expect(pages[`bg-pkg-${i}/${file}`]).toBeDefined();
    }
    expect(Object.keys(pages).filter((f) => path.basename(f).startsWith('.') || f.startsWith('.'))).toEqual([]);

    // The summary recorded the sizes actually written: nothing to redo.
    const again = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(again.projectsRendered).toBe(0);

    // One missing project is recreated on the main thread: identical bytes.
    fs.rmSync(path.join(paths.simple, 'bg-pkg-7'), { recursive: true });
    const repaired = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(repaired.projectsWritten).toBe(1);
    expect(snapshot(paths.simple)).toEqual(pages);
  });
});
