import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLogPiece, planAppend } from '../../../src/api/worker-api/log-append.js';

describe('planAppend', () => {
  it.each([
    [0, 0, 5, { kind: 'append', skip: 0 }],
    [5, 5, 3, { kind: 'append', skip: 0 }],
    [5, 3, 4, { kind: 'append', skip: 2 }],
    [5, 0, 5, { kind: 'duplicate' }],
    [5, 2, 3, { kind: 'duplicate' }],
    [5, 6, 1, { kind: 'gap' }],
  ])('size %i, piece at %i of %i bytes', (size, offset, length, plan) => {
    expect(planAppend(size, offset, length)).toEqual(plan);
  });
});

describe('appendLogPiece', () => {
  it('resent and overlapping pieces leave the log exactly once', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'farm-log-')), 'a', 'b.log');
    const text = 'line one\nline two\nline three\n';
    const pieces = [
      [0, text.slice(0, 9)],
      [0, text.slice(0, 9)],
      [5, text.slice(5, 18)],
      [30, 'gap'],
      [18, text.slice(18)],
    ] as const;
    const results = await Promise.all(pieces.map(([offset, piece]) => appendLogPiece(file, offset, Buffer.from(piece))));
    expect(results.map((r) => r.gap)).toEqual([false, false, false, true, false]);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    fs.rmSync(path.dirname(path.dirname(file)), { recursive: true });
  });
});
