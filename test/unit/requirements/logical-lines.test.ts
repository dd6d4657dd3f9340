import { describe, expect, it } from 'vitest';
import { logicalLines } from '../../../src/requirements/logical-lines.js';

describe('logicalLines (pip req_file.preprocess)', () => {
  it.each([
    ['blank and whitespace-only lines vanish', 'a\n\n   \n\t\nb\n', [[1, 'a'], [5, 'b']]],
    ['# at line start is a comment', '# hi\na\n', [[2, 'a']]],
    ['# after whitespace starts a comment', 'a  # pinned\n', [[1, 'a']]],
    ['# inside a word is not a comment', 'a @ https://x.test/a.zip#egg=a\n', [[1, 'a @ https://x.test/a.zip#egg=a']]],
    ['indented comment', '   # hi\nb', [[2, 'b']]],
    ['continuation joins and keeps the first line number', 'a \\\n  >=1 \\\n  ,<2\nb', [[1, 'a   >=1   ,<2'], [4, 'b']]],
    ['continuation at end of file', 'x\na \\', [[1, 'x'], [2, 'a']]],
    ['a comment line ends a continuation', 'a \\\n# note\nb', [[1, 'a'], [3, 'b']]],
    ['a comment ending in \\ is not continued', '# note \\\nb', [[2, 'b']]],
    ['CRLF, CR and form feed break lines like str.splitlines', 'a\r\nb\rc\fd', [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]],
    ['byte-order mark is dropped', '\ufeffa', [[1, 'a']]],
    ['no trailing newline', 'a', [[1, 'a']]],
    ['empty file', '', []],
  ])('%s', (_name, text, expected) => {
    expect(logicalLines(text).map((l) => [l.line, l.text])).toEqual(expected);
  });

  it.each([
    ['${TOKEN}', { TOKEN: 'abc' }, 'abc'],
    ['a @ https://${USER_1}:${PASS}@x.test/a.zip', { USER_1: 'u', PASS: 'p' }, 'a @ https://u:p@x.test/a.zip'],
    ['unset ${NOPE} stays', {}, 'unset ${NOPE} stays'],
    ['empty ${EMPTY} stays', { EMPTY: '' }, 'empty ${EMPTY} stays'],
    ['lower-case ${lower} is not a variable', { lower: 'x' }, 'lower-case ${lower} is not a variable'],
    ['$TOKEN and %TOKEN% are not either', { TOKEN: 'x' }, '$TOKEN and %TOKEN% are not either'],
  ])('expands %j like pip', (text, env, expected) => {
    expect(logicalLines(text, env).map((l) => l.text)).toEqual([expected]);
  });

  it('expands variables after comments are removed', () => {
    expect(logicalLines('a # ${X}', { X: 'b' }).map((l) => l.text)).toEqual(['a']);
    expect(logicalLines('a ${X}', { X: '# b' }).map((l) => l.text)).toEqual(['a # b']);
  });
});
