import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** sha256 (lower-case hex) and size of some bytes. */
export interface FileDigest {
  readonly sha256: string;
  readonly size: number;
}

/** Streams `file` through sha256; constant memory for any size. */
export async function hashFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Copies `source` to the new file `dest` (which must not exist), hashing the
 * bytes as they pass, and fsyncs `dest`. The digest is of what was written,
 * so a source that changes during the copy can't make hash and copy differ.
 */
export async function copyAndHash(source: string, dest: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(fs.createReadStream(source), tap, fs.createWriteStream(dest, { flags: 'wx', mode: 0o644 }));
  const fd = fs.openSync(dest, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/** sha256 of bytes in memory. */
export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
