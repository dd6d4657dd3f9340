import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLogTail } from '../../../src/docker/log-tail.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'farm-unit-log-tail-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const numbered = (n: number, width = 1) => Array.from({ length: n }, (_, i) => `line ${String(i + 1).padStart(width, '0')}`).join('\n') + '\n';

describe('readLogTail', () => {
  it.each([
    ['a short log, whole', 'a\nb\nc\n', 30, 'a\nb\nc'],
    ['the last lines only', numbered(100), 3, 'line 98\nline 99\nline 100'],
    ['no trailing newline', 'a\nb', 5, 'a\nb'],
    ['an empty log', '', 5, ''],
  ])('%s', async (name, content, lines, expected) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.log`);
    await writeFile(file, content);
    expect(await readLogTail(file, lines)).toBe(expected);
  });

  it('reads only the end of a big log and never returns a cut first line', async () => {
    const file = path.join(dir, 'big.log');
    // ~1.2 MB: far more than the tail window.
    await writeFile(file, numbered(10_000, 100));
    const tail = await readLogTail(file, 1_000);
    const lines = tail.split('\n');
    expect(lines.at(-1)).toMatch(/^line 0+10000$/);
    expect(lines.length).toBeLessThan(1_000);
    expect(lines.every((l) => /^line \d{100}$/.test(l))).toBe(true);
  });

  it('gives an empty tail for a missing log', async () => {
    expect(await readLogTail(path.join(dir, 'missing.log'))).toBe('');
  });
});
