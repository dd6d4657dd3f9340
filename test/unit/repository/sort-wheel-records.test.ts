import { describe, expect, it } from 'vitest';
import { sortByVersion } from '../../../src/repository/sort-wheel-records.js';

describe('sortByVersion', () => {
  const cases: [string, string[], string[]][] = [
    ['PEP 440 order, not string order', ['1.10', '1.9', '1.0rc1', '1.0', '1.0.post1', '1.0.dev0'], ['1.0.dev0', '1.0rc1', '1.0', '1.0.post1', '1.9', '1.10']],
    ['epochs', ['1!0.1', '2.0'], ['2.0', '1!0.1']],
    ['invalid versions first, by string', ['1.0', 'banana', 'apple'], ['apple', 'banana', '1.0']],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const records = input.map((version) => ({ version, filename: `p-${version}.whl` }));
    expect(sortByVersion(records).map((r) => r.version)).toEqual(expected);
  });

  it('breaks ties by filename', () => {
    const records = [
      { version: '1.0', filename: 'p-1.0-py3-none-win32.whl' },
      { version: '1.0', filename: 'p-1.0-cp311-cp311-linux_x86_64.whl' },
    ];
    expect(sortByVersion(records).map((r) => r.filename)).toEqual([
      'p-1.0-cp311-cp311-linux_x86_64.whl',
      'p-1.0-py3-none-win32.whl',
    ]);
  });
});
