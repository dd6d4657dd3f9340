/**
 * Issue 14, point 5: a `kill -9` during `farm add` leaves its temp copy in
 * `.farm/tmp/`; the next writer of the repository removes temp files whose
 * process is gone, and keeps those of a live one.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeWheel } from './support/make-wheel.js';
import { tempDir } from './support/tree.js';

const here = path.dirname(new URL(import.meta.url).pathname);
let root: string;
let incoming: string;
beforeEach(() => {
  root = tempDir('stale');
  incoming = tempDir('stale-in');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

const temps = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.tmp')) : []);

describe('temp files of a killed writer', () => {
  it('a kill -9 mid-copy leaves a temp file; the next farm add removes it', async () => {
    const paths = repositoryPaths(root, 'glibc');
    // Big enough that the copy takes a while: the kill lands in the middle of it.
    const big = path.join(incoming, 'big-1.0-py3-none-any.whl');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 600 * 1024 * 1024);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support', 'add-files.ts'), root, big], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (temps(paths.tmp).length === 0 && Date.now() < deadline && child.exitCode === null) await sleep(2);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(temps(paths.tmp)).toHaveLength(1);
    fs.rmSync(big);

    const result = await addWheels({ root, repository: 'glibc', paths: [writeWheel(incoming, { name: 'next', version: '1.0' })] });
    expect(result.rejected).toEqual([]);
    expect(temps(paths.tmp)).toEqual([]);
  });

  it('removes stale temp files of dead processes everywhere farm writes, and keeps a live process’s', async () => {
    const paths = repositoryPaths(root, 'glibc');
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(incoming, { name: 'first', version: '1.0' })] });
    const dead = spawnSync('true').pid!;
    const live = spawn('sleep', ['60']);
    try {
      const stale = [
        path.join(paths.tmp, `.x-1.0-py3-none-any.whl.${dead}.1.tmp`),
        path.join(paths.packages, `.x-1.0-py3-none-any.whl.${dead}.2.tmp`),
        path.join(paths.inventory, `.first.json.${dead}.3.tmp`),
        path.join(paths.simple, 'first', `.index.html.${dead}.4.tmp`),
      ];
      const kept = path.join(paths.tmp, `.y-1.0-py3-none-any.whl.${live.pid}.1.tmp`);
      const notOurs = path.join(paths.packages, '.upload-in-progress.tmp');
      for (const f of [...stale, kept, notOurs]) fs.writeFileSync(f, 'partial');

      await regenerateIndex({ root, repository: 'glibc', full: true });
      for (const f of stale) expect(fs.existsSync(f), f).toBe(false);
      expect(fs.existsSync(kept)).toBe(true);
      expect(fs.existsSync(notOurs)).toBe(true);
    } finally {
      live.kill();
    }
  });
});
