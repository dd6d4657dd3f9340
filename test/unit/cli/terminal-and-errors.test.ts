import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseHttpUrl, parsePort, parsePositiveInt, parsePythonList } from '../../../src/cli/options.js';
import { describeError, usageErrorFromCommander } from '../../../src/cli/report-error.js';
import { makeStyle } from '../../../src/cli/render/style.js';
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
  const UP = (n: number) => `\u001b[${n}A`;
  const CL = '\u001b[2K\r';

  it('draws, then redraws in place by moving up and clearing each line', () => {
    const writes: string[] = [];
    const block = new LiveBlock((t) => writes.push(t));
    block.draw(['a', 'b']);
    block.draw(['c', 'd']);
    expect(writes).toEqual([`${CL}a\n${CL}b\n`, `${UP(2)}${CL}c\n${CL}d\n`]);
  });

  it('blanks leftover lines when the block shrinks', () => {
    const writes: string[] = [];
    const block = new LiveBlock((t) => writes.push(t));
    block.draw(['a', 'b', 'c']);
    block.draw(['x']);
    expect(writes[1]).toBe(`${UP(3)}${CL}x\n${CL}\n${CL}\n${UP(2)}`);
  });

  it('clear() erases the block so text can be printed where it was', () => {
    const writes: string[] = [];
    const block = new LiveBlock((t) => writes.push(t));
    block.draw(['a', 'b']);
    block.clear();
    block.draw(['c']);
    expect(writes.slice(1)).toEqual([`${UP(2)}${CL}\n${CL}\n${UP(2)}`, `${CL}c\n`]);
  });

  it('release() leaves the block on screen and draws the next one below', () => {
    const writes: string[] = [];
    const block = new LiveBlock((t) => writes.push(t));
    block.draw(['a']);
    block.release();
    block.draw(['b']);
    expect(writes).toEqual([`${CL}a\n`, `${CL}b\n`]);
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
