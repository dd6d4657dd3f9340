/**
 * `npm test` checks (and as root installs) what the integration tests drive
 * before they run (scripts/test-prerequisites.sh). A missing tool must give
 * a message that names it and the one command that installs it, never an
 * empty error from deep inside a test.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/farm-process.js';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'scripts/test-prerequisites.sh');
const FIX = 'sudo bash scripts/setup-host.sh --with-test-tools';

let dir: string;
/** A PATH of one directory linking every program of this PATH but `nginx`. */
let pathWithoutNginx: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-test-prereq-'));
  pathWithoutNginx = path.join(dir, 'bin');
  await run('mkdir', ['-p', pathWithoutNginx]);
  const seen = new Set<string>(['nginx']);
  for (const entry of (process.env['PATH'] ?? '').split(':')) {
    const names = await readdir(entry).catch(() => [] as string[]);
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      await symlink(path.join(entry, name), path.join(pathWithoutNginx, name));
    }
  }
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function check(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', [SCRIPT, ...args], { env, cwd: REPO_ROOT, timeout: 600_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the test command prerequisite check', () => {
  it('passes on this machine, where everything is installed', async () => {
    const result = await check(['--check-only'], process.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('all present');
  });

  it('names a missing nginx and the command that installs it', async () => {
    const result = await check(['--check-only'], { ...process.env, PATH: pathWithoutNginx });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nginx: not found on PATH');
    expect(result.stderr).toContain(FIX);
    // Only what is missing is listed.
    expect(result.stderr).not.toContain('tmux');
  });

  it('as the test command runs it (installing allowed): still names what set-up could not provide', async () => {
    // nginx's package is installed but its binary is off PATH: set-up has nothing to install,
    // and the check must still end with the clear message, not pass or hang.
    const result = await check([], { ...process.env, PATH: pathWithoutNginx });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nginx: not found on PATH');
    expect(result.stderr).toContain(FIX);
  });
});
