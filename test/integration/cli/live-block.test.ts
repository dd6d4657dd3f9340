/**
 * The live progress block on an 80-column terminal (issue 14, point 21):
 * full progress lines are wider than 80 columns; they must be fitted to the
 * width, and every redraw must erase the rows it drew (a wrapped line is two
 * rows), or stale copies stay on screen. tmux runs the demo
 * (support/live-block-demo.ts) at 80×40 and the test reads the screen: the
 * block is on it exactly once, the failure printed above it stays.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { visibleWidth } from '../../../src/cli/render/style.js';
import { farmNodeArgs, REPO_ROOT } from './support/farm-process.js';

const run = promisify(execFile);
const socket = `farm-live-${randomBytes(4).toString('hex')}`;
const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args], { timeout: 10_000 });
let socketPath = '';

afterAll(async () => {
  await tmux('kill-server').catch(() => {});
  if (socketPath !== '') await rm(socketPath, { force: true });
});

describe('live progress block at 80 columns', () => {
  it('redraws in place: one copy of the block on screen, wrapped rows included', async () => {
    const demo = farmNodeArgs([]).slice(0, 2).concat(['test/integration/cli/support/live-block-demo.ts']);
    const command = [process.execPath, ...demo].map((a) => `'${a}'`).join(' ') + '; echo "DEMO-EXIT=$?"';
    await run('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'demo', '-x', '80', '-y', '40', '-c', REPO_ROOT,
      'env', 'TERM=xterm-256color', `PATH=${process.env['PATH'] ?? ''}`, 'bash', '--norc', '--noprofile']);
    socketPath = (await tmux('display-message', '-p', '#{socket_path}')).stdout.trim();
    expect((await tmux('display-message', '-p', '#{window_width}')).stdout.trim()).toBe('80');
    await tmux('send-keys', '-t', 'demo', command, 'Enter');

    let screen = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !/^DEMO-EXIT=\d+$/m.test(screen)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      // Rows as the terminal shows them (no -J): a stale wrapped row is visible as such.
      screen = (await tmux('capture-pane', '-p', '-S', '-', '-t', 'demo')).stdout;
    }
    expect(screen).toMatch(/^DEMO-EXIT=0$/m);
    const rows = screen.split('\n');
    const block = rows.slice(rows.findIndex((r) => r.startsWith('✗ package-with-a-long-name-6')) + 1, rows.indexOf('DEMO-DONE'));
    // What stays on screen: the failure printed above the block, then the block once, four rows that fit.
    expect(block).toHaveLength(4);
    expect(block[0]).toMatch(/^farm build req-0123456789abcdef {2}building… {2}\S+$/);
    ['glibc-x86_64', 'musl-x86_64', 'glibc-aarch64'].forEach((target, i) => {
      expect(block[i + 1]).toMatch(new RegExp(`^ {2}• ${target} +\\[#*-*\\] 12 resolved · 4 building · 8 built {2}\\S+$`));
    });
    for (const row of rows) expect(visibleWidth(row), row).toBeLessThanOrEqual(80);
    expect(rows.filter((r) => r.startsWith('farm build '))).toHaveLength(1);
    expect(rows.filter((r) => r.startsWith('✗ package-with-a-long-name-6'))).toHaveLength(1);
    expect(rows.filter((r) => / built/.test(r))).toHaveLength(3);
  }, 90_000);
});
