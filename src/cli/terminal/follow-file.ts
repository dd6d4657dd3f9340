/**
 * `tail -f` for one build log: prints what is in the file, then what is
 * appended, until the caller says the writer is done. Polls rather than
 * using fs.watch, which misses appends on some filesystems (NFS, overlay).
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const POLL_MS = 300;
const CHUNK = 64 * 1024;

/**
 * Copies `file` to `write` and keeps following it until `isDone()` is true
 * (checked between polls; the rest of the file is copied after it turns
 * true) or `signal` aborts.
 */
export async function followFile(
  file: string,
  write: (text: string) => void,
  isDone: () => Promise<boolean>,
  signal?: AbortSignal,
): Promise<void> {
  const handle = await open(file, 'r');
  const buffer = Buffer.alloc(CHUNK);
  // One decoder for the whole file: a UTF-8 character split between two
  // reads is written whole, with the second read.
  const decoder = new StringDecoder('utf8');
  let position = 0;
  const drain = async () => {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text !== '') write(text);
    }
  };
  try {
    for (;;) {
      await drain();
      if (signal?.aborted) return;
      if (await isDone()) {
        await drain();
        const rest = decoder.end();
        if (rest !== '') write(rest);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await handle.close();
  }
}

/** Copies a whole file to `write` in chunks (logs can be large). */
export async function copyFile(file: string, write: (text: string) => void): Promise<void> {
  await followFile(file, write, async () => true);
}
