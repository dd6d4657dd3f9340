import { describe, expect, it } from 'vitest';
import { parseCoreMetadata } from '../../../src/repository/core-metadata.js';

describe('parseCoreMetadata', () => {
  it('reads the recorded fields and stops at the body', () => {
    const text = [
      'Metadata-Version: 2.1',
      'Name: Foo_Bar',
      'Version: 1.0.0',
      'Summary: A thing',
      'Requires-Python: >=3.8',
      'Requires-Dist: six (>=1.0)',
      'Requires-Dist: attrs; extra == "x"',
      'Description-Content-Type: text/plain',
      '',
      'Name: not-a-header',
    ].join('\r\n');
    expect(parseCoreMetadata(text)).toEqual({
      name: 'Foo_Bar',
      version: '1.0.0',
      requiresPython: '>=3.8',
      requiresDist: ['six (>=1.0)', 'attrs; extra == "x"'],
      summary: 'A thing',
    });
  });

  const cases: [string, string, unknown][] = [
    ['missing Name', 'Metadata-Version: 2.1\nVersion: 1\n', null],
    ['missing Version', 'Metadata-Version: 2.1\nName: x\n', null],
    ['empty Requires-Python is none', 'Name: x\nVersion: 1\nRequires-Python: \n', { requiresPython: null }],
    ['headers are case-insensitive', 'name: x\nVERSION: 1\n', { name: 'x', version: '1' }],
    ['continuation lines fold', 'Name: x\nVersion: 1\nSummary: one\n  two\n', { summary: 'one\ntwo' }],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const parsed = parseCoreMetadata(text);
    if (expected === null) expect(parsed).toBeNull();
    else expect(parsed).toMatchObject(expected as object);
  });
});
