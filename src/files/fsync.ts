import fs from 'node:fs';

/**
 * fsyncs a file or a directory by path: a file's bytes, or a directory's
 * entries (so renames and creations in it survive a power cut).
 */
export function fsyncPathSync(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
