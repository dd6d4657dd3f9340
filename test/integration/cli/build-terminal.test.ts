/**
 * `farm build` in a real terminal: tmux runs the command as a user would
 * type it, and the test reads the screen. Live progress must appear, be
 * redrawn in place (one block, not a scrolling log) and change as the build
 * advances; the closing table must have every package × target. The
 * terminal is 80 columns wide, narrower than a full progress line: the
 * block is fitted to it (issue 14, point 21).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleWidth } from '../../../src/cli/render/style.js';
import { prepareBuildEnv, type BuildEnv } from './support/build-env.js';
import { writeFarmShim } from './support/farm-process.js';

const run = promisify(execFile);
const TARGETS = ['glibc-x86_64', 'musl-x86_64'];
// farmfix-a pulls in farmfix-b (pure) and farmfix-c (C extension).
const PACKAGES = ['farmfix-a', 'farmfix-b', 'farmfix-c', 'farmfix-cext', 'farmfix-purewheel'];
const socket = `farm-cli-${randomBytes(4).toString('hex')}`;
const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args], { timeout: 10_000 });

let env: BuildEnv;
let socketPath: string | undefined;

beforeAll(async () => {
  env = await prepareBuildEnv({ fixtures: PACKAGES, targets: TARGETS });
  const bin = path.join(env.dir, 'bin');
  await mkdir(bin);
  await writeFarmShim(bin);
  await env.requirements('requirements.txt', ['farmfix-cext', 'farmfix-a', 'farmfix-purewheel']);
  const vars = env.env({ PATH: `${bin}:${process.env['PATH'] ?? ''}`, TERM: 'xterm-256color' });
  // A private tmux server (-L); the shell is started through env(1) with our
  // variables and without profile files, which would reset PATH.
  const shell = ['env', ...['FARM_CONFIG', 'PATH', 'TERM', 'HOME'].flatMap((k) => (vars[k] === undefined ? [] : [`${k}=${vars[k]}`])), 'bash', '--norc', '--noprofile'];
  await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'farm', '-x', '80', '-y', '50', '-c', env.dir, ...shell], { env: vars });
  socketPath = (await tmux('display-message', '-p', '#{socket_path}')).stdout.trim();
});

afterAll(async () => {
  await tmux('kill-server').catch(() => {});
  if (socketPath !== undefined && socketPath !== '') await rm(socketPath, { force: true });
  await env?.cleanup();
});

/** The visible screen plus scrollback, escapes removed by tmux. */
async function screen(): Promise<string> {
  return (await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'farm')).stdout;
}

/** A progress line of a target, minus its elapsed time (which ticks on its own). */
function progressOf(text: string, target: string): string | undefined {
  const line = text.split('\n').find((l) => new RegExp(`^\\s+[•✓✗] ${target}\\s`).test(l));
  return line?.replace(/\s+\S+$/, '');
}

describe('farm build in a terminal', () => {
  it('shows live progress that updates in place, then the summary table of every package × target', async () => {
    await tmux(
      'send-keys',
      '-t',
      'farm',
      `farm build requirements.txt --targets ${TARGETS.join(',')} --index-url ${env.indexUrl}; echo "FARM-EXIT=$?"`,
      'Enter',
    );

    const seen = new Map<string, Set<string>>(TARGETS.map((t) => [t, new Set()]));
    let final = '';
    const deadline = Date.now() + 40 * 60_000;
    while (Date.now() < deadline) {
      const text = await screen();
      for (const target of TARGETS) {
        const progress = progressOf(text, target);
        if (progress !== undefined) seen.get(target)!.add(progress);
      }
      if (/^FARM-EXIT=\d+$/m.test(text)) {
        final = text;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(final, 'farm build did not finish').not.toBe('');
    expect(final).toMatch(/^FARM-EXIT=0$/m);

    // Live progress: one line per target with every count, and it changed while we watched.
    for (const target of TARGETS) {
      const states = [...seen.get(target)!];
      expect(states.length, `progress of ${target} never changed: ${states.join(' | ')}`).toBeGreaterThanOrEqual(2);
      expect(progressOf(final, target)).toMatch(/\] \d+ resolved( · \d+ (cached|mirrored|built))+$/);
    }
    // Redrawn in place: the whole scrollback holds the progress block exactly once, every row within 80 columns.
    for (const row of (await tmux('capture-pane', '-p', '-S', '-', '-t', 'farm')).stdout.split('\n')) {
      if (/^\s+[•✓✗] |^farm build /.test(row)) expect(visibleWidth(row), row).toBeLessThanOrEqual(80);
    }
    expect(final.match(/^farm build \S+ {2}/gm)).toHaveLength(1);
    expect(final.split('\n').filter((l) => /^\s+[•✓✗] glibc-x86_64\s/.test(l))).toHaveLength(1);

    // The summary: every package × target, each with a final result.
    const rows = final.split('\n').filter((l) => /^farmfix-\S+\s+\S+\s+(glibc|musl)-\S+\s+\S+/.test(l));
    for (const pkg of PACKAGES) {
      for (const target of TARGETS) {
        const row = rows.find((r) => r.startsWith(`${pkg} `) && r.split(/\s+/)[2] === target);
        expect(row, `no summary row for ${pkg} on ${target}`).toBeDefined();
        expect(row!.split(/\s+/)[3]).toMatch(/^(cached|mirrored|built)$/);
      }
    }
    expect(rows.find((r) => r.startsWith('farmfix-purewheel ') && r.includes('glibc-x86_64'))).toMatch(/\smirrored\s/);
    expect(rows.find((r) => r.startsWith('farmfix-cext ') && r.includes('musl-x86_64'))).toMatch(/\sbuilt\s+(\d+ms|[\d.]+s|\d+m\d+s)\s/);
    // The build backend (setuptools, wheel) is mirrored for each target, and said to be a build dependency.
    expect(final).toMatch(/^setuptools \(build dep\)\s+\S+\s+glibc-x86_64\s+mirrored\s/m);
    expect(final).toMatch(/^14 package × target rows: .*\(4 of them build dependencies\)$/m);
  });
});
