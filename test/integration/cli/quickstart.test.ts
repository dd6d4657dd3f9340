/**
 * The README's quick start, verbatim, from a fresh clone: `bash
 * scripts/quickstart.sh` must end with a served index from which pip
 * installs the example packages, on the host (glibc-x86_64) and in
 * containers of the other two targets. A second run must reuse everything.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapImageName, interpreterPath } from '../../../src/images/image-names.js';
import { cleanEnv, REPO_ROOT } from './support/farm-process.js';

const run = promisify(execFile);
const PACKAGES = ['farm-demo-fastsum', 'farm-demo-hello'];
const CHECK = [
  'import farm_demo_fastsum as f, farm_demo_hello as h, platform',
  'assert f.fastsum(range(10)) == 45',
  'assert f.machine() == platform.machine(), (f.machine(), platform.machine())',
  'assert "hello, farm" in h.greet("farm")',
  'print("ok", f.machine())',
].join('; ');

let dir: string;
let clone: string;
let port: number;
let quickstart: ChildProcess | undefined;
let output = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return p;
}

/**
 * A clone of this repository with the working tree's uncommitted changes laid
 * over it, so the test checks what is about to be committed. In CI the tree
 * is clean and this is a plain `git clone`. Ignored files (a quick start's
 * `farm-data/`, `node_modules/`) are not copied; what is copied keeps its
 * kind: a symlink stays a symlink, a directory (an untracked nested checkout)
 * is copied whole.
 */
async function freshClone(into: string): Promise<void> {
  await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, into], { timeout: 120_000 });
  const listed = (args: string[]) =>
    run('git', ['-C', REPO_ROOT, 'ls-files', '-z', ...args], { maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout.split('\0').filter((f) => f !== ''));
  const deleted = new Set(await listed(['--deleted']));
  for (const file of await listed(['--modified', '--others', '--exclude-standard'])) {
    if (deleted.has(file)) continue;
    await cp(path.join(REPO_ROOT, file), path.join(into, file), { recursive: true, verbatimSymlinks: true, force: true });
  }
  for (const file of deleted) await rm(path.join(into, file), { force: true });
}

/** Starts the quick start exactly as the README shows it; resolves once the index is served. */
async function startQuickstart(): Promise<void> {
  output = '';
  quickstart = spawn('bash', ['scripts/quickstart.sh'], {
    cwd: clone,
    env: cleanEnv({ FARM_QUICKSTART_PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  quickstart.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  quickstart.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60 * 60_000;
  while (Date.now() < deadline) {
    if (quickstart.exitCode !== null) throw new Error(`quickstart exited ${quickstart.exitCode}:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/glibc/simple/farm-demo-fastsum/`);
      if (res.ok) return;
    } catch {
      // Not serving yet.
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the quick start did not serve an index within the time limit:\n${output}`);
}

/** Stops the foreground `farm serve` (and anything else of the quick start). */
async function stopQuickstart(): Promise<void> {
  const child = quickstart;
  if (child === undefined || child.exitCode !== null || child.pid === undefined) return;
  const closed = new Promise((r) => child.once('close', r));
  process.kill(-child.pid, 'SIGINT');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 15_000);
  await closed;
  clearTimeout(timer);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-quickstart-'));
  clone = path.join(dir, 'farm');
  await freshClone(clone);
  port = await freePort();
  await startQuickstart();
});

afterAll(async () => {
  await stopQuickstart();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('the README quick start (bash scripts/quickstart.sh) from a fresh clone', () => {
  it('builds the examples for three targets and says so', () => {
    for (const target of ['glibc-x86_64', 'glibc-armv7', 'musl-x86_64']) {
      for (const pkg of [...PACKAGES, 'farm-demo-colors']) {
        expect(output, output).toMatch(new RegExp(`^${pkg}\\s+1\\.0\\.0\\s+${target}\\s+(built|mirrored|cached|shared)\\s`, 'm'));
      }
    }
    expect(output).toMatch(/^farm-demo-colors\s+1\.0\.0\s+glibc-\S+\s+mirrored\s/m);
    expect(output).toMatch(/^farm-demo-fastsum\s+1\.0\.0\s+glibc-armv7\s+built\s/m);
  });

  it('pip installs the examples from the served index into a host virtualenv', async () => {
    const venv = path.join(dir, 'venv');
    await run('python3', ['-m', 'venv', venv]);
    const pipEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    await run(
      path.join(venv, 'bin', 'pip'),
      ['install', '--no-cache-dir', '--index-url', `http://127.0.0.1:${port}/glibc/simple/`, ...PACKAGES],
      { env: pipEnv, timeout: 300_000 },
    );
    const { stdout } = await run(path.join(venv, 'bin', 'python'), ['-c', CHECK]);
    expect(stdout.trim()).toBe('ok x86_64');
  });

  it.each([
    ['musl-x86_64', 'musl', 'linux/amd64', 'x86_64'],
    ['glibc-armv7', 'glibc', 'linux/arm/v7', 'armv7l'],
  ])('pip installs them on %s, in a container of that target', async (target, repo, platform, machine) => {
    const name = `farm-cli-qs-${randomBytes(4).toString('hex')}`;
    const script = 'python=$1; url=$2; shift 2; "$python" -m pip install --no-cache-dir --target /tmp/site --index-url "$url" "$@" && PYTHONPATH=/tmp/site "$python" -c "$CHECK"';
    const { stdout } = await run(
      'docker',
      [
        'run', '--rm', '--name', name, '--label', 'farm.test=cli-quickstart', '--network', 'host', '--platform', platform,
        '-e', `CHECK=${CHECK}`, '-e', 'PIP_DISABLE_PIP_VERSION_CHECK=1',
        bootstrapImageName(target, '3.11'),
        'sh', '-c', script, 'sh', interpreterPath('3.11'), `http://127.0.0.1:${port}/${repo}/simple/`, ...PACKAGES,
      ],
      { timeout: 600_000 },
    );
    expect(stdout.trim().split('\n').at(-1)).toBe(`ok ${machine}`);
  });

  it('runs again idempotently: nothing rebuilt, everything cached, served again', async () => {
    await stopQuickstart();
    await startQuickstart();
    expect(output).toMatch(/^node_modules present: skipping npm ci$/m);
    expect(output).toMatch(/^nothing to do: all \d+ images are present/m);
    expect(output).not.toMatch(/^farm-demo-\S+\s+1\.0\.0\s+\S+\s+(built|mirrored|failed)\s/m);
    expect(output).toMatch(/^9 package × target rows: 9 cached$/m);
  });
});
