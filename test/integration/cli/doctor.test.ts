import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { BINFMT_DIR } from '../../../src/docker/binfmt.js';
import { memoryIo } from '../../unit/cli/support/memory-io.js';
import { cleanEnv } from './support/farm-process.js';

// `farm doctor` against the real host (Docker, Redis, images, disk), except
// that binfmt_misc is read from a copy of this host's registrations in which
// qemu-arm is switched off: disabling it on the real kernel would break the
// other tests running on this machine.
let root: string;
let binfmtCopy: string;

async function copyBinfmt(dir: string, armState: 'enabled' | 'disabled'): Promise<void> {
  for (const name of ['status', 'qemu-arm', 'qemu-aarch64']) {
    let text: string;
    try {
      text = await readFile(path.join(BINFMT_DIR, name), 'utf8');
    } catch {
      // The real host lacks it: write what an enabled registration looks like.
      text = name === 'status' ? 'enabled\n' : `enabled\ninterpreter /usr/libexec/qemu-binfmt/${name.slice(5)}-binfmt-P\nflags: PF\n`;
    }
    if (name === 'qemu-arm') text = text.replace(/^(enabled|disabled)/, armState);
    await writeFile(path.join(dir, name), text);
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'farm-cli-doctor-'));
  binfmtCopy = path.join(root, 'binfmt_misc');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(binfmtCopy);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function doctor(armState: 'enabled' | 'disabled') {
  await copyBinfmt(binfmtCopy, armState);
  const io = memoryIo({ cwd: root, env: cleanEnv({ FARM_ROOT: path.join(root, 'repo') }) });
  const code = await runCli(['doctor', '--targets', 'glibc-x86_64,glibc-armv7'], io, { binfmtDir: binfmtCopy });
  return { code, out: io.stdout, err: io.stderr };
}

describe('farm doctor', () => {
  it('reports binfmt disabled for the armv7 target, with the command that enables it, and exits 1', async () => {
    const { code, out, err } = await doctor('disabled');
    expect(err).toBe('');
    expect(code).toBe(1);
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('FAIL  binfmt glibc-armv7'));
    expect(at, out).toBeGreaterThan(-1);
    expect(lines[at]).toMatch(/qemu-arm is registered but disabled: linux\/arm\/v7 containers cannot run on this linux\/amd64$/);
    expect(lines[at + 1]?.trim()).toBe('fix: sudo update-binfmts --enable qemu-arm');
    // The rest of the real host is checked too.
    expect(out).toMatch(/^ok {4}docker \(local\) +Docker \S+, linux\/amd64, at unix:\/\/\/var\/run\/docker\.sock$/m);
    expect(out).toMatch(/^ok {4}redis +embedded mode: \S*redis-server$/m);
    expect(out).toMatch(/^(ok {2}|warn) {2}disk +[\d.]+ GiB free in /m);
    expect(out).toMatch(/^\S+ +image glibc-x86_64 py3\.11 /m);
    // Present on this machine (the ARM tests need it): hybrid armv7 builds.
    expect(out).toMatch(/^ok {4}cross toolchain +farm\/cross-toolchain:bootstrap-bookworm: glibc-armv7 compile natively \(hybrid\), with ccache$/m);
  });

  it('passes the binfmt check once qemu-arm is enabled', async () => {
    const { out } = await doctor('enabled');
    expect(out).toMatch(/^ok {4}binfmt glibc-armv7 +qemu-arm enabled: linux\/arm\/v7 runs under emulation$/m);
  });

  it('checks a shared Redis when REDIS_URL is set', async () => {
    await copyBinfmt(binfmtCopy, 'enabled');
    const io = memoryIo({ cwd: root, env: cleanEnv({ FARM_ROOT: root, REDIS_URL: process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379' }) });
    await runCli(['doctor', '--targets', 'glibc-x86_64'], io, { binfmtDir: binfmtCopy });
    expect(io.stdout).toMatch(/^ok {4}redis +reachable at redis:\/\//m);
    const down = memoryIo({ cwd: root, env: cleanEnv({ FARM_ROOT: root, REDIS_URL: 'redis://127.0.0.1:1' }) });
    expect(await runCli(['doctor', '--targets', 'glibc-x86_64'], down, { binfmtDir: binfmtCopy })).toBe(1);
    expect(down.stdout).toMatch(/^FAIL {2}redis +cannot reach Redis at redis:\/\/127\.0\.0\.1:1: /m);
  });
});
