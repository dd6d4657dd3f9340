/**
 * sha256 of files and streams: the one streaming digest farm uses for
 * wheels, sdists, downloads and image layers.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncPathSync } from './fsync.js';

/** sha256 (lower-case hex) and size of some bytes. */
export interface FileDigest {
  readonly sha256: string;
  readonly size: number;
}

/**
 * A pass-through stream that hashes and counts the bytes flowing through it;
 * `digest()` is valid once the pipeline has finished.
 */
export function digestingStream(): { readonly stream: Transform; digest(): FileDigest } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), size }) };
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
  const tap = digestingStream();
  await pipeline(fs.createReadStream(source), tap.stream, fs.createWriteStream(dest, { flags: 'wx', mode: 0o644 }));
  fsyncPathSync(dest);
  return tap.digest();
}

/** sha256 of bytes in memory. */
export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
