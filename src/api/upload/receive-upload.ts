/**
 * Reads one legacy-protocol upload off the wire: the form fields, and the
 * `content` file streamed to a private temporary file while its sha256 is
 * computed. Nothing is published here; the caller verifies and collects, and
 * removes the temporary file in every case.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Multipart } from '@fastify/multipart';
import { tempNameFor } from '../../files/atomic-file.js';
import { digestingStream } from '../../files/hash-file.js';

/** The file part as received. */
export interface ReceivedFile {
  /** The name the uploader gave (checked later, never joined to a path here). */
  readonly filename: string;
  /** The temporary copy. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}

/** Fields (repeated ones as arrays) and the `content` file. */
export interface ReceivedUpload {
  readonly fields: Readonly<Record<string, string | string[]>>;
  readonly file: ReceivedFile | undefined;
}

/** The upload was larger than the limit (413). */
export class UploadTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the file is larger than this server's upload limit of ${limitBytes} bytes (api.uploadLimitBytes)`);
    this.name = 'UploadTooLarge';
  }
}

export interface ReceiveOptions {
  /** Directory for the temporary file (private, on the server). */
  readonly tmpDir: string;
  /** Largest accepted file. */
  readonly limitBytes: number;
  /**
   * Called when the `content` part starts, with its filename and the fields
   * received so far: throw to refuse it before its bytes are stored.
   */
  readonly onFile?: (filename: string, fields: Readonly<Record<string, string | string[]>>) => void;
}

const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/**
 * Consumes every part. On any error the temporary file is gone before this
 * rejects.
 */
export async function receiveUpload(parts: AsyncIterable<Multipart>, options: ReceiveOptions): Promise<ReceivedUpload> {
  const fields: Record<string, string | string[]> = {};
  let file: ReceivedFile | undefined;
  let tmp: string | undefined;
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        const seen = fields[part.fieldname];
        fields[part.fieldname] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
        continue;
      }
      if (part.fieldname !== 'content' || file !== undefined) {
        // A signature or a second file: farm does not use it.
        await pipeline(part.file, discard());
        continue;
      }
      options.onFile?.(part.filename, fields);
      await mkdir(options.tmpDir, { recursive: true, mode: 0o700 });
      tmp = tempNameFor(path.join(options.tmpDir, 'upload'));
      const digesting = digestingStream();
      await pipeline(part.file, digesting.stream, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      if (part.file.truncated) throw new UploadTooLarge(options.limitBytes);
      file = { filename: part.filename, path: tmp, ...digesting.digest() };
    }
    return { fields, file };
  } catch (error) {
    if (tmp !== undefined) await rm(tmp, { force: true });
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new UploadTooLarge(options.limitBytes);
    throw error;
  }
}
