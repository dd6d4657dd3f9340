/** The filesystem adapter for the requirements parser: the only file here that touches the disk. */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { MissingFileError, UnreadableInputError } from '../errors.js';
import type { RequirementsSource } from './requirements-source.js';

/**
 * Largest requirements or constraints file farm reads. Real ones are a few
 * kilobytes (a fully pinned, hashed lock of 500 packages is ~200 KB); a
 * bigger one is a mistake (`-r /dev/urandom`, a wheel named by accident).
 */
export const MAX_REQUIREMENTS_BYTES = 4 * 1024 * 1024;

/**
 * Reads requirements files from the local filesystem as UTF-8. Only regular
 * files up to `MAX_REQUIREMENTS_BYTES` are read: a device (`/dev/zero`,
 * `/dev/urandom`) or a FIFO is refused at once instead of being read for
 * gigabytes or waited on forever (the open doesn't block on a FIFO).
 */
export const fsRequirementsSource: RequirementsSource = {
  async read(path: string): Promise<string> {
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      throw new MissingFileError(path, { cause: error });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new UnreadableInputError(path, `not a regular file (${kindOf(stat)}); requirements and constraints must be plain text files`);
      }
      if (stat.size > MAX_REQUIREMENTS_BYTES) throw tooLarge(path);
      // Read at most one byte past the limit: a file that grows meanwhile is still bounded.
      const buffer = Buffer.alloc(Math.min(stat.size, MAX_REQUIREMENTS_BYTES) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > MAX_REQUIREMENTS_BYTES) throw tooLarge(path);
        if (length === buffer.length) break;
      }
      return buffer.subarray(0, length).toString('utf8');
    } finally {
      await handle.close();
    }
  },
};

function tooLarge(path: string): UnreadableInputError {
  return new UnreadableInputError(path, `larger than ${MAX_REQUIREMENTS_BYTES / 1024 / 1024} MiB; not a requirements file`);
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
