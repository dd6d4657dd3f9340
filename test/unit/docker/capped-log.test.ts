import { describe, expect, it } from 'vitest';
import { CappedLog, tailBytesFor } from '../../../src/docker/capped-log.js';

/** Runs `chunks` through a log capped at `maxBytes`; returns what reached the file. */
function through(chunks: string[], maxBytes: number, existingBytes = 0): string {
  const written: Buffer[] = [];
  const log = new CappedLog({ write: (c) => void written.push(Buffer.from(c)) }, { maxBytes, existingBytes });
  for (const chunk of chunks) log.write(Buffer.from(chunk));
  log.finish();
  log.finish();
  return Buffer.concat(written).toString();
}

describe('CappedLog (issue 14, point 8)', () => {
  it('writes everything through while under the cap', () => {
    expect(through(['abc', 'def'], 400)).toBe('abcdef');
  });

  it('keeps the head and the last quarter of the cap, and says what was cut', () => {
    const text = through(['H'.repeat(300), 'x'.repeat(1000), 'TAIL'.repeat(20)], 400);
    expect(text.startsWith('H'.repeat(300))).toBe(true);
    expect(text).toContain('# farm: this log reached its limit of 400 bytes: output is cut here, its last 100 bytes follow when the step ends\n');
    expect(text.endsWith(`\n# farm: this log is limited to 400 bytes: 980 bytes of output were cut here\n${'x'.repeat(20)}${'TAIL'.repeat(20)}`)).toBe(true);
    expect(text.replace(/\n# farm: [^\n]*\n/g, '')).toHaveLength(400);
  });

  it('counts what earlier runs put in the file: a full log keeps only the tail of the next run', () => {
    const text = through(['y'.repeat(5000)], 1000, 900);
    expect(text).toMatch(/^\n# farm: this log reached its limit of 1000 bytes: [^\n]*\n\n# farm: this log is limited to 1000 bytes: 4750 bytes of output were cut here\ny{250}$/);
  });

  it('bounds the kept tail at 4 MiB', () => {
    expect(tailBytesFor(400)).toBe(100);
    expect(tailBytesFor(1024 ** 3)).toBe(4 * 1024 ** 2);
  });
});
