/**
 * A compiled farm (`npm run build`: tsc, then the Python drivers copied
 * beside their module) runs without any TypeScript loader: the background
 * index publisher starts its worker thread from dist/, and the container
 * drivers are found in dist/.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeProjectInventories } from '../repository/support/many-projects.js';
import { snapshot } from '../repository/support/tree.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const USE_BUILT_FARM = fileURLToPath(new URL('./support/use-built-farm.mjs', import.meta.url));

let work: string;
let dist: string;
beforeAll(async () => {
  // Inside the checkout (test/.tmp is ignored by git), so the compiled modules find node_modules as an installed farm does.
  fs.mkdirSync(path.join(ROOT, 'test/.tmp'), { recursive: true });
  work = fs.mkdtempSync(path.join(ROOT, 'test/.tmp/built-farm-'));
  dist = path.join(work, 'dist');
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist], { cwd: ROOT });
  await run(process.execPath, [path.join(ROOT, 'scripts/copy-assets.mjs'), dist], { cwd: ROOT });
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('farm built into dist/', () => {
  it('publishes a first index of many projects through the worker thread, and finds its container drivers', async () => {
    const root = path.join(work, 'repos');
    const paths = repositoryPaths(root, 'glibc');
    fs.mkdirSync(paths.packages, { recursive: true });
    writeProjectInventories(paths, 600);
    const { stdout } = await run(process.execPath, [USE_BUILT_FARM, dist, root], { cwd: work });
    const out = JSON.parse(stdout) as { written: number; drivers: string[] };
    expect(out.written).toBe(600);
    const pages = snapshot(paths.simple);
    expect(Object.keys(pages).filter((f) => f.endsWith('/index.html'))).toHaveLength(600);
    expect(out.drivers).toEqual([path.join(dist, 'pipeline/target-jobs/drivers/build.py'), path.join(dist, 'pipeline/target-jobs/drivers/smoke.py')]);
    for (const driver of out.drivers) expect(fs.readFileSync(driver, 'utf8')).toContain('farm');
    expect(fs.existsSync(path.join(dist, 'index/publish-worker.js'))).toBe(true);
  });
});
