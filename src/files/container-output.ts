/**
 * Reading what a container wrote into its output directory. The worker runs
 * as root and the build does not: anything the build left there (a symlink
 * to `/etc/shadow`, to the state directory, a directory swapped for a
 * symlink, a FIFO) must never make the host read another file. So no
 * symlink is followed on the way (`lstat` of each directory, `O_NOFOLLOW`
 * on the file), and only regular files are read (`O_NONBLOCK`: a FIFO is
 * refused instead of waited on).
 *
 * The container has exited when these run, and its output directory was
 * mounted in no other: nothing can swap a path between the checks and the
 * open.
 */
import { constants, createWriteStream } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A container output that is not a regular file reached without symlinks. */
export class UnsafeOutputError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`container output ${file}: ${reason}; refused (a build may not point the worker at other files)`);
    this.name = 'UnsafeOutputError';
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens `relative` (like `final/x.whl`) under `root`, the output directory
 * the host created. Throws `UnsafeOutputError` for a symlink anywhere on the
 * way, a missing file, or anything but a regular file.
 */
export async function openContainerOutput(root: string, relative: string): Promise<FileHandle> {
  const parts = relative.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new UnsafeOutputError(relative, 'not a plain relative path');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const stats = await lstat(dir).catch(() => undefined);
    if (stats?.isDirectory() !== true) {
      throw new UnsafeOutputError(path.relative(root, dir), stats === undefined ? 'missing' : stats.isSymbolicLink() ? 'a symlink, not a directory' : 'not a directory');
    }
  }
  let handle: FileHandle;
  try {
    handle = await open(path.join(root, relative), OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UnsafeOutputError(relative, 'a symlink');
    if (code === 'ENOENT') throw new UnsafeOutputError(relative, 'missing');
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new UnsafeOutputError(relative, stats.isDirectory() ? 'a directory' : 'not a regular file');
  }
  return handle;
}

/** The text of a small output file (`result.json`, `report.json`), at most `maxBytes`. */
export async function readContainerOutput(root: string, relative: string, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const handle = await openContainerOutput(root, relative);
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new UnsafeOutputError(relative, `${size} bytes, more than ${maxBytes}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The last `maxBytes` of an output file (a log), as text. */
export async function readContainerOutputTail(root: string, relative: string, maxBytes: number): Promise<string> {
  const handle = await openContainerOutput(root, relative);
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Copies an output file to `dest` (a new file, in a directory the container
 * never saw), so everything after reads the host's own copy.
 */
export async function copyContainerOutput(root: string, relative: string, dest: string): Promise<void> {
  const handle = await openContainerOutput(root, relative);
  try {
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(dest, { flags: 'wx', mode: 0o644 }));
  } finally {
    await handle.close();
  }
}
