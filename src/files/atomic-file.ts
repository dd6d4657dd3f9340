import fs from 'node:fs';
import path from 'node:path';
import { fsyncPathSync } from './fsync.js';

let counter = 0;

/** A temporary name beside `file`: hidden (servers refuse dotfiles), unique per process and call. */
export function tempNameFor(file: string): string {
  counter += 1;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

/** The pid in a name made by `tempNameFor`, or `null` for any other name. */
export function tempOwnerPid(name: string): number | null {
  const match = TEMP_NAME.exec(name);
  return match === null ? null : Number(match[1]);
}

export interface AtomicWriteOptions {
  /**
   * fsync the file before the rename and the directory after it, so the new
   * content survives a power cut. Inventory and wheels need it; index pages
   * don't (they are rebuilt from the inventory), and skipping it keeps a full
   * regeneration fast.
   */
  readonly durable?: boolean;
  /** Create missing parent directories (default true). */
  readonly mkdir?: boolean;
  /** Permissions of the new file (default 0o644); 0o600 for private state such as hashed tokens. */
  readonly mode?: number;
}

/**
 * Replaces `file` with `data` atomically: the bytes go to a temporary file in
 * the same directory, which is then renamed over `file`. A concurrent reader
 * opens either the old file or the new one, never a partial one; a crash
 * leaves at most a hidden `*.tmp` file behind.
 *
 * Synchronous on purpose: the index writer issues tens of thousands of these,
 * and the thread-pool round trip of the async API would double the cost. The
 * writer yields to the event loop between projects instead.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', options.mode ?? 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.mkdir === false) throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(tmp, 'wx', options.mode ?? 0o644);
  }
  try {
    try {
      fs.writeFileSync(fd, data);
      if (options.durable === true) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  if (options.durable === true) fsyncPathSync(path.dirname(file));
}

/** Reads a file, or returns `undefined` when it does not exist. */
export function readFileIfExistsSync(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
