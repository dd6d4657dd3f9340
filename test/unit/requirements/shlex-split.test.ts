import { describe, expect, it } from 'vitest';
import { shlexSplit } from '../../../src/requirements/shlex-split.js';

describe('shlexSplit (Python shlex.split, POSIX mode)', () => {
  it.each([
    ['--hash=sha256:ab  --pre', ['--hash=sha256:ab', '--pre']],
    ["--no-binary 'a b'", ['--no-binary', 'a b']],
    ['--x="a \\" b"', ['--x=a " b']],
    ['"a\\nb"', ['a\\nb']],
    ["'a\\b'", ['a\\b']],
    ['a\\ b c', ['a b', 'c']],
    ["''", ['']],
    ['a"b c"d', ['ab cd']],
    ['', []],
    ['  \t ', []],
  ])('%j → %j', (text, words) => {
    expect(shlexSplit(text)).toEqual({ ok: true, words });
  });

  it.each([
    ['"open', 'No closing quotation'],
    ["'open", 'No closing quotation'],
    ['"a\\"', 'No closing quotation'],
    ['trailing\\', 'No escaped character'],
  ])('%j fails: %s', (text, error) => {
    expect(shlexSplit(text)).toEqual({ ok: false, error });
  });
});
