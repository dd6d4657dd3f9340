import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseHttpUrl, parsePort, parsePositiveInt, parsePythonList } from '../../../src/cli/options.js';
import { describeError, usageErrorFromCommander } from '../../../src/cli/report-error.js';
import { makeStyle, stripAnsi } from '../../../src/cli/render/style.js';
import { LiveBlock } from '../../../src/cli/terminal/live-block.js';
import { wantsColor } from '../../../src/cli/io.js';
import {
  BuildFailedError,
  ConfigError,
  HostError,
  MissingFileError,
  NotFoundError,
  UsageError,
} from '../../../src/errors.js';

const plain = makeStyle(false);

describe('LiveBlock', () => {
  const ERASE_LINE = '\u001b[2K';
  const UP = '\u001b[1A';
  /** A terminal `columns` wide that records what is written. */
  const terminal = (columns: number) => {
    const writes: string[] = [];
    return { writes, out: (t: string) => void writes.push(t), columns };
  };
  /** How many rows a write erases going up (log-update's eraseLines: erase, up, ..., erase). */
  const rowsErased = (text: string) => text.split(ERASE_LINE).length - 1;

  it('draws the lines, then redraws in place', () => {
    const t = terminal(80);
    const block = new LiveBlock(t);
    block.draw(['a', 'b']);
    block.draw(['c', 'd']);
    expect(t.writes[0]).toBe('a\nb\n');
    expect(stripAnsi(t.writes[1]!)).toBe('c\nd\n');
  });

  it('erases the rows a wrapped line took, not the lines it was given (issue 14, point 21)', () => {
    const t = terminal(80);
    const block = new LiveBlock(t);
    block.draw(['x'.repeat(100), 'y']);
    block.clear();
    // 100 columns on an 80-column terminal are two rows, plus 'y', plus the row the cursor is on.
    expect(t.writes[0]).toBe(`${'x'.repeat(80)}\n${'x'.repeat(20)}\ny\n`);
    expect(rowsErased(t.writes[1]!)).toBe(4);
    expect(t.writes[1]!.split(UP)).toHaveLength(4);
  });

  it('follows the terminal width at every draw', () => {
    let columns = 80;
    const writes: string[] = [];
    const block = new LiveBlock({ out: (t) => void writes.push(t), get columns() { return columns; } });
    block.draw(['x'.repeat(60)]);
    columns = 40;
    block.draw(['y'.repeat(60)]);
    expect(stripAnsi(writes[1]!)).toBe(`${'y'.repeat(40)}\n${'y'.repeat(20)}\n`);
  });

  it('clear() erases the block so text can be printed where it was; release() leaves it on screen', () => {
    const t = terminal(80);
    const block = new LiveBlock(t);
    block.clear();
    expect(t.writes).toEqual([]);
    block.draw(['a']);
    block.release();
    block.draw(['b']);
    expect(t.writes).toEqual(['a\n', 'b\n']);
    block.clear();
    expect(rowsErased(t.writes[2]!)).toBe(2);
  });
});

describe('wantsColor', () => {
  it.each<[boolean, NodeJS.ProcessEnv, boolean]>([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ])('tty=%s env=%o → %s', (tty, env, expected) => expect(wantsColor(tty, env)).toBe(expected));
});

describe('describeError', () => {
  it.each<[string, unknown, string[], number]>([
    ['usage error with hint', new UsageError('unknown option --x', { hint: "see 'farm build --help'" }), ['error: unknown option --x', "hint: see 'farm build --help'"], 2],
    [
      'config error lists every dotted path',
      new ConfigError('/etc/farm.yaml', [
        { path: 'docker.hosts.0.url', message: 'expected unix://, tcp:// or ssh:// URL (line 4)' },
        { path: 'python.0', message: 'expected a Python version like "3.11"' },
      ]),
      [
        'error: /etc/farm.yaml: invalid',
        '  docker.hosts.0.url: expected unix://, tcp:// or ssh:// URL (line 4)',
        '  python.0: expected a Python version like "3.11"',
      ],
      2,
    ],
    ['missing file names it', new MissingFileError('reqs.txt'), ['error: reqs.txt: no such file'], 2],
    ['host error with its fix', new HostError('qemu-arm is disabled', { hint: 'sudo update-binfmts --enable qemu-arm' }), ['error: qemu-arm is disabled', 'hint: sudo update-binfmts --enable qemu-arm'], 2],
    ['not found is a failure', new NotFoundError('no request abc'), ['error: no request abc'], 1],
    [
      'build failure is a failure',
      new BuildFailedError({ target: 'glibc-x86_64', package: 'x==1', logPath: '/l/x.log', logTail: '' }, 1),
      ['error: x==1 on glibc-x86_64: exited 1 (log: /l/x.log)'],
      1,
    ],
  ])('%s', (_name, error, lines, code) => {
    expect(describeError(error, plain)).toEqual({ lines, exitCode: code });
  });

  it('a full disk is no bug: a clear error and the fix, no stack (issue 14, fault suite)', () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC', syscall: 'write', path: '/srv/farm/glibc/.farm/tmp/x.whl.123.tmp' });
    expect(describeError(enospc, plain)).toEqual({
      lines: [
        'error: no space left on the device writing /srv/farm/glibc/.farm/tmp/x.whl.123.tmp (ENOSPC: no space left on device, write)',
        'hint: free space on that filesystem (or raise the quota) and run the command again; nothing half-written was published',
      ],
      exitCode: 1,
    });
    const quota = Object.assign(new Error('EDQUOT: disk quota exceeded, write'), { code: 'EDQUOT' });
    expect(describeError(quota, plain).lines[0]).toBe('error: no space left on the device (EDQUOT: disk quota exceeded, write)');
  });

  it('shows a stack and says it is a bug for unexpected errors', () => {
    const { lines, exitCode } = describeError(new TypeError('x is undefined'), plain);
    expect(exitCode).toBe(1);
    expect(lines[0]).toBe('error: unexpected: x is undefined');
    expect(lines[1]).toMatch(/^TypeError: x is undefined\n\s+at /);
    expect(lines[2]).toMatch(/this is a bug in farm/);
  });

  it('never shows a stack for farm errors', () => {
    const { lines } = describeError(new UsageError('bad'), plain);
    expect(lines.join('\n')).not.toMatch(/\bat /);
  });

  it('treats --help and --version as success', () => {
    expect(describeError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), plain)).toEqual({ lines: [], exitCode: 0 });
  });

  it('turns commander parse errors into usage errors pointing at the command help', () => {
    const error = usageErrorFromCommander(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--bogus'"), 'images bootstrap');
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("unknown option '--bogus'");
    expect(error.hint).toBe("see 'farm images bootstrap --help'");
  });
});

describe('option parsers', () => {
  it.each([
    ['3.11', ['3.11']],
    ['3.11, 3.12,3.11', ['3.11', '3.12']],
  ])('--python %s', (value, expected) => expect(parsePythonList(value)).toEqual(expected));

  it.each(['', '3', '3.11,py3', '2.7.1'])('--python %j is a usage error', (value) => {
    expect(() => parsePythonList(value)).toThrow(UsageError);
  });

  it.each([
    ['http://127.0.0.1:8000/simple/', true],
    ['https://pypi.org/simple/', true],
    ['ftp://x/', false],
    ['not a url', false],
  ])('--index-url %s', (value, ok) => {
    if (ok) expect(parseHttpUrl('--index-url', value)).toBe(value);
    else expect(() => parseHttpUrl('--index-url', value)).toThrow(/--index-url/);
  });

  it.each([
    ['8080', 8080],
    ['0', 0],
    ['65536', undefined],
    ['-1', undefined],
    ['80a', undefined],
  ])('--port %s', (value, expected) => {
    if (expected === undefined) expect(() => parsePort('--port', value)).toThrow(UsageError);
    else expect(parsePort('--port', value)).toBe(expected);
  });

  it('positive integers', () => {
    expect(parsePositiveInt('--concurrency', '4')).toBe(4);
    expect(() => parsePositiveInt('--concurrency', '0')).toThrow(/--concurrency/);
  });
});
