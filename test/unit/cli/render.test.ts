import { describe, expect, it } from 'vitest';
import { renderEventLine, rowOutcome } from '../../../src/cli/render/event-line.js';
import { applyEvent, countsFor, initialProgress, targetDone, type ProgressState } from '../../../src/cli/render/progress-state.js';
import { progressBar, renderProgress } from '../../../src/cli/render/progress.js';
import { formatDuration, makeStyle, padEnd, stripAnsi, visibleWidth } from '../../../src/cli/render/style.js';
import { renderSummary } from '../../../src/cli/render/summary-table.js';
import { renderTable } from '../../../src/cli/render/table.js';
import type { PackageRow, RequestEvent } from '../../../src/pipeline/contract/request-types.js';
import { row, status } from './support/statuses.js';

const plain = makeStyle(false);
const color = makeStyle(true);
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const rowEvent = (r: PackageRow, ms: number): RequestEvent => ({ type: 'row', requestId: 'req1', at: at(ms), row: r });

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1000, '1.0s'],
    [12_345, '12.3s'],
    [59_949, '59.9s'],
    [60_000, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '1h00m'],
    [3_725_000, '1h02m'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('style', () => {
  it('colours only when asked', () => {
    expect(plain.red('x')).toBe('x');
    expect(color.red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(stripAnsi(color.bold(color.green('ok')))).toBe('ok');
  });
  it('pads by visible width', () => {
    expect(padEnd(color.red('ab'), 4)).toBe(`${color.red('ab')}  `);
    expect(padEnd('abcdef', 4)).toBe('abcdef');
  });
});

describe('progressBar', () => {
  it.each([
    [0, 0, 4, '[----]'],
    [0, 5, 4, '[----]'],
    [1, 4, 4, '[#---]'],
    [2, 4, 4, '[##--]'],
    [4, 4, 4, '[####]'],
    [9, 4, 4, '[####]'],
  ])('%i of %i', (done, total, width, bar) => expect(progressBar(done, total, width)).toBe(bar));
});

describe('renderTable', () => {
  it('aligns columns, ignores colour, leaves the last column unpadded', () => {
    const lines = renderTable(['a', 'bb', 'c'], [['xxx', color.red('y'), 'long value'], ['z', 'yyyy', '']], plain);
    expect(lines.map(stripAnsi)).toEqual(['A    BB    C', 'xxx  y     long value', 'z    yyyy']);
  });
});

describe('progress state', () => {
  const events: RequestEvent[] = [
    { type: 'state', requestId: 'req1', at: at(0), state: 'resolving' },
    rowEvent(row({ name: 'a', target: 'glibc-x86_64', state: 'resolved' }), 1000),
    rowEvent(row({ name: 'b', target: 'glibc-x86_64', state: 'resolved' }), 1000),
    rowEvent(row({ name: 'a', target: 'musl-x86_64', state: 'resolved' }), 1500),
    { type: 'state', requestId: 'req1', at: at(2000), state: 'building' },
    rowEvent(row({ name: 'a', target: 'glibc-x86_64', state: 'cached' }), 2000),
    rowEvent(row({ name: 'b', target: 'glibc-x86_64', state: 'building' }), 2100),
    rowEvent(row({ name: 'a', target: 'musl-x86_64', state: 'mirrored' }), 2500),
    rowEvent(row({ name: 'b', target: 'glibc-x86_64', state: 'failed', logPath: '/logs/b.log' }), 9000),
    { type: 'message', requestId: 'other', at: at(9100), level: 'warn', text: 'not ours' },
    rowEvent({ ...row({ name: 'zzz', target: 'musl-x86_64', state: 'built' }) }, 9200),
  ];
  const fold = (n: number): ProgressState =>
    events.slice(0, n).reduce(applyEvent, initialProgress('req1', ['glibc-x86_64', 'musl-x86_64'], T0));

  it.each([
    [1, 'glibc-x86_64', { resolved: 0, done: 0 }, false],
    [3, 'glibc-x86_64', { resolved: 2, done: 0 }, false],
    [6, 'glibc-x86_64', { resolved: 2, cached: 1, done: 1 }, false],
    [7, 'glibc-x86_64', { resolved: 2, cached: 1, building: 1, done: 1 }, false],
    [9, 'glibc-x86_64', { resolved: 2, cached: 1, failed: 1, done: 2 }, true],
    [8, 'musl-x86_64', { resolved: 1, mirrored: 1, done: 1 }, true],
    [11, 'musl-x86_64', { resolved: 2, mirrored: 1, built: 1, done: 2 }, true],
  ])('after %i events, %s counts %o (done: %s)', (n, target, expected, done) => {
    const state = fold(n);
    expect(countsFor(state, target)).toMatchObject(expected);
    expect(targetDone(state, target)).toBe(done);
  });

  it('is not done while resolving even when every row so far is final', () => {
    const state = applyEvent(
      applyEvent(initialProgress('req1', ['glibc-x86_64'], T0), { type: 'state', requestId: 'req1', at: at(0), state: 'resolving' }),
      rowEvent(row({ name: 'a', target: 'glibc-x86_64', state: 'cached' }), 10),
    );
    expect(targetDone(state, 'glibc-x86_64')).toBe(false);
  });

  it('adds targets it did not know in first-seen order', () => {
    const state = applyEvent(initialProgress('req1', ['glibc-x86_64'], T0), rowEvent(row({ name: 'a', target: 'musl-x86_64', state: 'resolved' }), 0));
    expect(state.targets).toEqual(['glibc-x86_64', 'musl-x86_64']);
  });

  it('renders one line per target with every count and elapsed time, updating as events arrive', () => {
    const early = renderProgress(fold(1), T0 + 500, plain);
    expect(early).toEqual([
      'farm build req1  resolving…  500ms',
      '  • glibc-x86_64  resolving…  500ms',
      '  • musl-x86_64   resolving…  500ms',
    ]);
    const later = renderProgress(fold(9), T0 + 10_000, plain);
    expect(later).toEqual([
      'farm build req1  building…  10.0s',
      '  ✗ glibc-x86_64  [################] 2 resolved · 1 cached · 0 mirrored · 0 building · 0 built · 1 failed  9.0s',
      '  ✓ musl-x86_64   [################] 1 resolved · 0 cached · 1 mirrored · 0 building · 0 built · 0 failed  2.5s',
    ]);
    const building = renderProgress(fold(7), T0 + 3000, plain);
    expect(building[1]).toBe(
      '  • glibc-x86_64  [########--------] 2 resolved · 1 cached · 0 mirrored · 1 building · 0 built · 0 failed  3.0s',
    );
  });

  it('shows queued, skipped and shared only when there are some', () => {
    let state = initialProgress('req1', ['glibc-armv7'], T0);
    state = applyEvent(state, { type: 'state', requestId: 'req1', at: at(0), state: 'building' });
    for (const [name, s] of [['a', 'queued'], ['b', 'skipped'], ['c', 'shared']] as const) {
      state = applyEvent(state, rowEvent(row({ name, target: 'glibc-armv7', state: s }), 100));
    }
    expect(renderProgress(state, T0 + 1000, plain)[1]).toBe(
      '  • glibc-armv7  [#####-----------] 3 resolved · 0 cached · 0 mirrored · 1 queued · 0 building · 0 built · 0 failed · 1 skipped · 1 shared  1.0s',
    );
  });

  it('fits an 80-column terminal: zero counts dropped and a shorter bar, then cut (issue 14, point 21)', () => {
    const later = renderProgress(fold(9), T0 + 10_000, plain, 80);
    expect(later).toEqual([
      'farm build req1  building…  10.0s',
      '  ✗ glibc-x86_64  [########] 2 resolved · 1 cached · 1 failed  9.0s',
      '  ✓ musl-x86_64   [########] 1 resolved · 1 mirrored  2.5s',
    ]);
    for (const columns of [80, 60, 40, 20]) {
      for (const line of renderProgress(fold(9), T0 + 10_000, color, columns)) expect(visibleWidth(line)).toBeLessThanOrEqual(columns);
    }
    const narrow = renderProgress(fold(9), T0 + 10_000, plain, 40);
    expect(narrow[1]).toBe('  ✗ glibc-x86_64  [########] 2 resolved…');
    // Wide terminals keep the full line.
    expect(renderProgress(fold(9), T0 + 10_000, plain, 200)).toEqual(renderProgress(fold(9), T0 + 10_000, plain));
  });

  it('colours counts on a colour terminal and keeps the same text', () => {
    const lines = renderProgress(fold(9), T0 + 10_000, color);
    expect(lines[1]).toContain('\u001b[31m1 failed\u001b[39m');
    expect(lines.map(stripAnsi)).toEqual(renderProgress(fold(9), T0 + 10_000, plain));
  });
});

describe('event lines (no terminal)', () => {
  it.each<[RequestEvent, string | undefined]>([
    [{ type: 'state', requestId: 'req1', at: at(0), state: 'resolving' }, '[   0ms] request req1: resolving'],
    [rowEvent(row({ name: 'a', target: 'glibc-armv7', state: 'building' }), 1500), '[  1.5s] a 1.0 (glibc-armv7, py3.11): building'],
    [
      rowEvent(row({ name: 'a', target: 'glibc-armv7', state: 'built', durationMs: 65_000, wheel: 'a-1.0-cp311-cp311-linux_armv7l.whl' }), 70_000),
      '[ 1m10s] a 1.0 (glibc-armv7, py3.11): built in 1m05s',
    ],
    [rowEvent(row({ name: 'b', target: 'musl-x86_64', state: 'failed', logPath: '/l/b.log' }), 2000), '[  2.0s] b 1.0 (musl-x86_64, py3.11): failed (log: /l/b.log)'],
    [rowEvent(row({ name: 'c', target: 'musl-x86_64', state: 'skipped', reason: 'marker excludes it' }), 2000), '[  2.0s] c 1.0 (musl-x86_64, py3.11): skipped: marker excludes it'],
    [rowEvent(row({ name: 'd', target: 'musl-x86_64', state: 'cached', wheel: 'd-1.0-py3-none-any.whl' }), 2000), '[  2.0s] d 1.0 (musl-x86_64, py3.11): cached (d-1.0-py3-none-any.whl)'],
    [{ type: 'message', requestId: 'req1', at: at(3000), level: 'warn', text: 'slow' }, '[  3.0s] warning: slow'],
    [{ type: 'finished', requestId: 'req1', at: at(4000), state: 'done', counts: { built: 2, failed: 1, cached: 0 } }, '[  4.0s] request req1: done (2 built, 1 failed)'],
  ])('%o', (event, line) => {
    expect(renderEventLine(event, T0, plain)).toBe(line);
  });

  it('leaves out the final state: the finished event reports it with counts', () => {
    expect(renderEventLine({ type: 'state', requestId: 'r', at: at(0), state: 'done' }, T0, plain)).toBeUndefined();
  });

  it('pads the time prefix to a fixed width', () => {
    expect(renderEventLine({ type: 'state', requestId: 'r', at: at(1500), state: 'building' }, T0, plain)).toBe('[  1.5s] request r: building');
  });

  it('falls back to the error when a failed row has no log', () => {
    expect(rowOutcome(row({ name: 'x', target: 'glibc-x86_64', state: 'failed', error: 'resolver broke\nmore' }))).toBe('failed: resolver broke');
  });
});

describe('summary table', () => {
  const rows = [
    row({ name: 'zeta', target: 'musl-x86_64', state: 'built', durationMs: 12_300, wheel: 'zeta-1.0-cp311-cp311-linux_x86_64.whl' }),
    row({ name: 'alpha', target: 'glibc-armv7', state: 'skipped', reason: 'platform_machine != "armv7l"' }),
    row({ name: 'alpha', target: 'glibc-x86_64', state: 'cached', wheel: 'alpha-1.0-py3-none-any.whl' }),
    row({ name: 'broken', target: 'glibc-x86_64', state: 'failed', logPath: '/srv/farm/.farm/logs/req1/broken.log' }),
    row({ name: 'alpha', target: 'musl-x86_64', state: 'mirrored', wheel: 'alpha-1.0-py3-none-any.whl' }),
  ];

  it('lists every package × target with its result and detail, then totals and the log hint', () => {
    expect(renderSummary(status(rows), plain)).toEqual([
      'PACKAGE  VERSION  TARGET        RESULT    DETAIL',
      'alpha    1.0      glibc-x86_64  cached    alpha-1.0-py3-none-any.whl',
      'alpha    1.0      glibc-armv7   skipped   platform_machine != "armv7l"',
      'alpha    1.0      musl-x86_64   mirrored  alpha-1.0-py3-none-any.whl',
      'broken   1.0      glibc-x86_64  failed    /srv/farm/.farm/logs/req1/broken.log',
      'zeta     1.0      musl-x86_64   built     12.3s  zeta-1.0-cp311-cp311-linux_x86_64.whl',
      '',
      '5 package × target rows: 1 failed, 1 built, 1 mirrored, 1 cached, 1 skipped',
      'error: 1 build failed',
      'hint: see a log with: farm logs req1 broken --target glibc-x86_64',
    ]);
  });

  it('adds a Python column when the request has several versions', () => {
    const lines = renderSummary(
      status([row({ name: 'a', target: 'glibc-x86_64', state: 'built', python: '3.12' }), row({ name: 'a', target: 'glibc-x86_64', state: 'built', python: '3.11' })]),
      plain,
    );
    expect(lines.slice(0, 3)).toEqual([
      'PACKAGE  VERSION  TARGET        PYTHON  RESULT  DETAIL',
      'a        1.0      glibc-x86_64  3.11    built',
      'a        1.0      glibc-x86_64  3.12    built',
    ]);
  });

  it('says so when nothing was resolved, with the request error', () => {
    expect(renderSummary(status([], { state: 'failed', error: 'resolution failed on glibc-x86_64' }), plain)).toEqual([
      'request req1: no packages (resolution failed on glibc-x86_64)',
    ]);
  });
});
