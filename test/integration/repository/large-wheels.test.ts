/**
 * Issue 14, point 17: a wheel is copied and checked before the repository
 * lock is taken (a slow check doesn't stop other writers), and a wheel with
 * an absurd number of entries is refused without reading them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { MAX_WHEEL_ENTRIES } from '../../../src/repository/read-wheel-metadata.js';
import { acquireLock } from '../../../src/repository/repository-lock.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeWheel } from './support/make-wheel.js';
import { tempDir } from './support/tree.js';

let root: string;
let incoming: string;
beforeEach(() => {
  root = tempDir('large');
  incoming = tempDir('large-in');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

describe('large wheels', () => {
  it('a wheel with more entries than the limit is refused', async () => {
    const bomb = writeWheel(incoming, { name: 'many', version: '1.0', extraEntries: MAX_WHEEL_ENTRIES + 1 });
    const result = await addWheels({ root, repository: 'glibc', paths: [bomb] });
    expect(result.collected).toEqual([]);
    expect(result.rejected[0]!.reason).toMatch(/entries; farm accepts at most/);
  });

  it('copies and checks a wheel while another writer holds the lock, publishing once it is released', async () => {
    const paths = repositoryPaths(root, 'glibc');
    const wheel = writeWheel(incoming, { name: 'patient', version: '1.0', extraEntries: 2000 });
    const lock = await acquireLock(paths.lock);
    let checkedWhileLocked = false;
    const adding = addWheels({ root, repository: 'glibc', paths: [wheel] });
    // The checked copy waits in .farm/tmp/ for the lock.
    for (let i = 0; i < 500 && !checkedWhileLocked; i++) {
      await sleep(20);
      checkedWhileLocked = fs.existsSync(paths.tmp) && fs.readdirSync(paths.tmp).some((n) => n.endsWith('.tmp'));
    }
    expect(checkedWhileLocked).toBe(true);
    expect(fs.existsSync(path.join(paths.packages, 'patient-1.0-py3-none-any.whl'))).toBe(false);
    lock.release();
    const result = await adding;
    expect(result.collected).toMatchObject([{ status: 'added', filename: 'patient-1.0-py3-none-any.whl' }]);
    expect(fs.readdirSync(paths.tmp)).toEqual([]);
  });
});
