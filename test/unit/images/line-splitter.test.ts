import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFile } from '../../../src/cli/terminal/follow-file.js';
import { LineSplitter } from '../../../src/images/line-splitter.js';

function split(chunks: readonly (Buffer | string)[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return lines;
}

// Issue 14, point 20: decoding across chunks, and no rescanning of pending text.
describe('LineSplitter', () => {
  it('keeps a UTF-8 character split across two chunks whole', () => {
    const bytes = Buffer.from('Größe: 10 €\nnächste\n');
    const at = bytes.indexOf(Buffer.from('€')) + 1;
    expect(split([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(['Größe: 10 €', 'nächste']);
  });

  it('splits one byte at a time', () => {
    const bytes = Buffer.from('ä\r\nö\rü\n');
    expect(split([...bytes].map((b) => Buffer.from([b])))).toEqual(['ä', 'ö', 'ü']);
  });

  it('handles \\r, \\n and \\r\\n, skips empty lines, flushes the last line', () => {
    expect(split(['a\r', '\nb\n\n', 'c\rd'])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a 2 MB line in 100-byte chunks is one line (linear, not quadratic)', () => {
    const line = Buffer.alloc(2 * 1024 * 1024, 'x');
    const chunks: Buffer[] = [];
    for (let i = 0; i < line.length; i += 100) chunks.push(line.subarray(i, i + 100));
    chunks.push(Buffer.from('\n'));
    const lines = split(chunks);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(line.length);
  });
});

describe('follow-file copyFile', () => {
  it('keeps a UTF-8 character that straddles its 64 KiB reads whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-follow-'));
    try {
      const text = `${'a'.repeat(64 * 1024 - 1)}€ and more ü\n`;
      const file = path.join(dir, 'log');
      fs.writeFileSync(file, text);
      let out = '';
      await copyFile(file, (t) => (out += t));
      expect(out).toBe(text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
