/**
 * Exit codes and logs of a real build with a broken package, run the way a
 * distributed farm runs: `farm worker` processes serve a shared Redis and
 * `farm build` follows from another process. The failed row names its log;
 * `farm logs`, exactly as the summary's hint prints it, shows the compiler
 * error.
 */
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBuildEnv, TEST_REDIS_URL, type BuildEnv } from './support/build-env.js';
import { runFarm, startFarm } from './support/farm-process.js';

const TARGET = 'glibc-x86_64';
let env: BuildEnv;
let worker: ChildProcess | undefined;
let workerOutput = '';

beforeAll(async () => {
  env = await prepareBuildEnv({ fixtures: ['farmfix-broken', 'farmfix-cext'], targets: [TARGET] });
  await env.requirements('requirements.txt', ['farmfix-broken', 'farmfix-cext']);
  worker = startFarm(['worker', '--targets', TARGET], {
    cwd: env.dir,
    env: env.env({ REDIS_URL: TEST_REDIS_URL, FARM_REDIS_PREFIX: env.prefix }),
  });
  worker.stdout?.on('data', (d: Buffer) => (workerOutput += d.toString()));
  worker.stderr?.on('data', (d: Buffer) => (workerOutput += d.toString()));
});

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((r) => worker!.once('close', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await env?.cleanup();
});

const distributed = () => env.env({ REDIS_URL: TEST_REDIS_URL, FARM_REDIS_PREFIX: env.prefix });

describe('farm build with a broken package', () => {
  let requestId = '';
  let logsCommand: string[] = [];

  it('exits 1, and the failed row of the summary shows the log path', async () => {
    const r = await runFarm(['build', 'requirements.txt', '--targets', TARGET, '--index-url', env.indexUrl], {
      cwd: env.dir,
      env: distributed(),
    });
    expect(r.code, `${r.stdout}\n${r.stderr}\nworker:\n${workerOutput}`).toBe(1);
    requestId = /^request (\S+): following /m.exec(r.stdout)?.[1] ?? '';
    expect(requestId).not.toBe('');
    // Without a terminal: one plain line per event, no cursor movement.
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/^\[\s*\S+\] farmfix-broken 1\.0 \(glibc-x86_64, py3\.11\): failed \(log: \/\S+\)$/m);

    const failed = /^farmfix-broken\s+1\.0\s+glibc-x86_64\s+failed\s+(\/\S+)$/m.exec(r.stdout);
    expect(failed, r.stdout).not.toBeNull();
    expect(existsSync(failed![1]!)).toBe(true);
    expect(r.stdout).toMatch(/^farmfix-cext\s+1\.0\s+glibc-x86_64\s+built\s/m);
    expect(r.stdout).toMatch(/^error: 1 build failed$/m);

    const hint = /^hint: see a log with: farm (logs .+)$/m.exec(r.stdout);
    expect(hint).not.toBeNull();
    logsCommand = hint![1]!.split(' ');
    expect(logsCommand).toEqual(['logs', requestId, 'farmfix-broken', '--target', TARGET]);
  });

  it('farm logs on that row prints the compiler error', async () => {
    const r = await runFarm(logsCommand, { cwd: env.dir, env: distributed() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/_bad\.c:\d+:\d+: error: .farmfix_undeclared_identifier. undeclared/);
  });

  it('--json gives the same result machine-readably, with exit 1', async () => {
    const r = await runFarm(['build', 'requirements.txt', '--targets', TARGET, '--index-url', env.indexUrl, '--json'], {
      cwd: env.dir,
      env: distributed(),
    });
    expect(r.code).toBe(1);
    const status = JSON.parse(r.stdout) as { state: string; rows: { name: string; state: string; logPath?: string }[] };
    expect(status.state).toBe('done');
    const byName = new Map(status.rows.map((row) => [row.name, row]));
    expect(byName.get('farmfix-broken')).toMatchObject({ state: 'failed', logPath: expect.stringMatching(/^\//) });
    expect(byName.get('farmfix-cext')?.state).toBe('cached');
  });

  it('farm status shows the request with its failed row', async () => {
    const r = await runFarm(['status', requestId], { cwd: env.dir, env: distributed() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^request ${requestId} {2}done`, 'm'));
    expect(r.stdout).toMatch(/^farmfix-broken\s+1\.0\s+glibc-x86_64\s+failed\s+\//m);
    const list = await runFarm(['status'], { cwd: env.dir, env: distributed() });
    expect(list.stdout).toContain(requestId);
  });

  it('farm retry --failed runs only the failed package again', async () => {
    const r = await runFarm(['retry', requestId, '--failed'], { cwd: env.dir, env: distributed() });
    expect(r.code, r.stderr).toBe(1);
    const retried = new RegExp(`^request (\\S+): retry of ${requestId} \\(failed packages only\\)$`, 'm').exec(r.stdout);
    expect(retried, r.stdout).not.toBeNull();
    expect(retried![1]).not.toBe(requestId);
    expect(r.stdout).toMatch(/^farmfix-broken\s+1\.0\s+glibc-x86_64\s+failed\s+\//m);
    expect(r.stdout).not.toMatch(/^farmfix-cext\s+\S+\s+\S+\s+built\s/m);
  });

  it('farm logs --follow streams a running build until it ends', async () => {
    const submitted = await runFarm(['build', 'requirements.txt', '--targets', TARGET, '--index-url', env.indexUrl, '--no-wait'], {
      cwd: env.dir,
      env: distributed(),
    });
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();
    expect(id).toMatch(/^\S+$/);
    const follow = await runFarm(['logs', id, 'farmfix-broken', '--target', TARGET, '--follow'], { cwd: env.dir, env: distributed() });
    expect(follow.code, follow.stderr).toBe(0);
    expect(follow.stdout).toMatch(/_bad\.c:\d+:\d+: error: .farmfix_undeclared_identifier. undeclared/);
    // It returned because the build ended, not early.
    const status = await runFarm(['status', id, '--json'], { cwd: env.dir, env: distributed() });
    const rows = (JSON.parse(status.stdout) as { rows: { name: string; state: string }[] }).rows;
    expect(rows.find((row) => row.name === 'farmfix-broken')?.state).toBe('failed');
  });

  it('farm cancel stops a submitted request', async () => {
    // Known failures are reported from the failure cache in milliseconds; --rebuild-failed
    // makes the broken package build again, so the request has seconds of work left when the cancel arrives.
    await env.requirements('cancel.txt', ['farmfix-broken']);
    const submitted = await runFarm(
      ['build', 'cancel.txt', '--targets', TARGET, '--index-url', env.indexUrl, '--no-wait', '--rebuild-failed'],
      {
      cwd: env.dir,
        env: distributed(),
      },
    );
    const id = submitted.stdout.trim();
    const r = await runFarm(['cancel', id], { cwd: env.dir, env: distributed() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`request ${id}: cancelled\n`);
    const status = await runFarm(['status', id], { cwd: env.dir, env: distributed() });
    expect(status.stdout).toMatch(new RegExp(`^request ${id} {2}cancelled`, 'm'));
  });

  it('in embedded mode (no REDIS_URL) too: exit 1, and the hinted farm logs finds the log on disk afterwards', async () => {
    const build = await runFarm(['build', 'requirements.txt', '--targets', TARGET, '--index-url', env.indexUrl], {
      cwd: env.dir,
      env: env.env(),
    });
    expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(1);
    expect(build.stdout).toMatch(/^farmfix-broken\s+1\.0\s+glibc-x86_64\s+failed\s+\//m);
    const hint = /^hint: see a log with: farm (logs .+)$/m.exec(build.stdout);
    expect(hint).not.toBeNull();
    // The embedded Redis is gone with that farm process; the log is not.
    const logs = await runFarm(hint![1]!.split(' '), { cwd: env.dir, env: env.env() });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/_bad\.c:\d+:\d+: error: .farmfix_undeclared_identifier. undeclared/);
  });
});
