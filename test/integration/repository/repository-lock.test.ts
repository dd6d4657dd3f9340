import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostError } from '../../../src/errors.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { acquireLock, processStartTime } from '../../../src/repository/repository-lock.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { tempDir } from './support/tree.js';

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);

/** Runs a TypeScript child script with tsx, as a separate node process. */
function tsNode(script: string, args: string[]): Promise<unknown> {
  return run(process.execPath, ['--import', 'tsx', path.join(here, 'support', script), ...args], { cwd: process.cwd() });
}

let dir: string;
beforeEach(() => {
  dir = tempDir('lock');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('serialised writers', () => {
  it('two processes never hold the lock at the same time (no lost update, no overlap)', async () => {
    const lock = path.join(dir, '.farm', 'lock');
    const counter = path.join(dir, 'counter');
    const log = path.join(dir, 'log');
    fs.writeFileSync(counter, '0');
    const rounds = 40;
    await Promise.all([tsNode('lock-worker.ts', [lock, counter, log, String(rounds)]), tsNode('lock-worker.ts', [lock, counter, log, String(rounds)])]);

    expect(Number(fs.readFileSync(counter, 'utf8'))).toBe(2 * rounds);
    const spans = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([pid, enter, exit]) => ({ pid: pid!, enter: BigInt(enter!), exit: BigInt(exit!) }))
      .sort((a, b) => (a.enter < b.enter ? -1 : 1));
    expect(new Set(spans.map((s) => s.pid)).size).toBe(2);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.enter).toBeGreaterThanOrEqual(spans[i - 1]!.exit);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('two processes adding wheels of the same project concurrently lose none', async () => {
    const root = path.join(dir, 'root');
    await Promise.all([tsNode('add-worker.ts', [root, dir, '0', '12']), tsNode('add-worker.ts', [root, dir, '100', '12'])]);
    const paths = repositoryPaths(root, 'glibc');
    expect(readProjectInventory(paths, 'shared')!.files).toHaveLength(24);
    const page = JSON.parse(fs.readFileSync(path.join(paths.simple, 'shared', 'index.json'), 'utf8')) as { files: unknown[] };
    expect(page.files).toHaveLength(24);
  });

  it('breaks a lock left by a process that died', async () => {
    const lock = path.join(dir, 'lock');
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    fs.writeFileSync(lock, JSON.stringify({ pid, host: os.hostname(), startTime: null, token: 'dead', acquiredAt: '' }));
    const handle = await acquireLock(lock, { timeoutMs: 2000 });
    expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid });
    handle.release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('breaks a lock whose pid was reused by another process (start time differs)', async () => {
    const lock = path.join(dir, 'lock');
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, host: os.hostname(), startTime: 'not-my-start-time', token: 't', acquiredAt: '' }),
    );
    expect(processStartTime(process.pid)).not.toBeNull();
    const handle = await acquireLock(lock, { timeoutMs: 2000 });
    handle.release();
  });

  it('waits for a live holder and times out naming it', async () => {
    const lock = path.join(dir, 'lock');
    const holder = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(
        lock,
        JSON.stringify({ pid: holder.pid, host: os.hostname(), startTime: processStartTime(holder.pid!), token: 'live', acquiredAt: 'then' }),
      );
      let waitedFor: number | undefined;
      const error = await acquireLock(lock, { timeoutMs: 300, onWait: (o) => (waitedFor = o?.pid) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HostError);
      expect((error as HostError).message).toContain(`by pid ${holder.pid}`);
      expect(waitedFor).toBe(holder.pid);
      expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ token: 'live' });
    } finally {
      holder.kill();
    }
  });
});
