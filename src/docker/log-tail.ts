import { open, stat } from 'node:fs/promises';

/** How much of a log's end is read to find its last lines. */
const TAIL_BYTES = 16 * 1024;

/**
 * The last `lines` lines of a build log, for error messages and summaries.
 * Reads only the end of the file: build logs can be hundreds of megabytes.
 * A missing log gives an empty tail rather than a second error.
 */
export async function readLogTail(logPath: string, lines = 30): Promise<string> {
  const read = await readFrom(logPath, (size) => size - Math.min(size, TAIL_BYTES));
  if (read === undefined) return '';
  const all = read.text.replace(/\n+$/, '').split('\n');
  // The first line of a partial read is usually cut in the middle.
  const whole = read.start > 0 ? all.slice(1) : all;
  return whole.slice(-lines).join('\n');
}

/**
 * What a log gained after byte `offset` (the output of one step), at most
 * its last `maxBytes`. A missing log gives an empty string.
 */
export async function readLogSince(logPath: string, offset: number, maxBytes = 256 * 1024): Promise<string> {
  const read = await readFrom(logPath, (size) => Math.max(offset, size - maxBytes, 0));
  return read?.text ?? '';
}

/**
 * A log from byte `startOf(size)` to its end; undefined when it does not
 * exist (a missing log is no second error).
 */
async function readFrom(logPath: string, startOf: (size: number) => number): Promise<{ text: string; start: number } | undefined> {
  let handle;
  try {
    handle = await open(logPath, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    const start = startOf(size);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await handle.read(buffer, 0, buffer.length, start);
    return { text: buffer.toString('utf8'), start };
  } finally {
    await handle.close();
  }
}

/** The size of a log now (0 when it does not exist yet): where the next step's output starts. */
export async function logSize(logPath: string): Promise<number> {
  return stat(logPath).then((s) => s.size, () => 0);
}
