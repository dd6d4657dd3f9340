import { InvalidWheelNameError, WheelRejectedError } from '../errors.js';
import { parseWheelFilename, type WheelFilename } from '../wheels/wheel-filename.js';

/** Longest file name most file systems accept (ext4, xfs, btrfs: 255 bytes). */
const MAX_NAME_BYTES = 255;

/**
 * Checks that `name` is a wheel filename that can be joined to `packages/`
 * without leaving it: a bare name (no `/`, `\`, NUL, control characters, no
 * `.`/`..`, nothing hidden), short enough for the file system, and a valid
 * PEP 427 wheel name.
 *
 * @throws WheelRejectedError naming the problem. Nothing has been written when
 *   this throws, because every writer calls it before touching the disk.
 */
export function checkWheelName(name: string): WheelFilename {
  const reject = (reason: string): never => {
    throw new WheelRejectedError(name, reason);
  };
  if (name.length === 0) reject('empty file name');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) reject('file name contains NUL or a control character');
  if (name.includes('/') || name.includes('\\')) reject('file name contains a path separator; it could escape the repository');
  if (name === '.' || name === '..' || name.split(/[/\\]/).includes('..')) reject('file name is a parent-directory reference');
  if (name.startsWith('.')) reject('hidden file names are not accepted');
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) reject(`file name longer than ${MAX_NAME_BYTES} bytes`);
  try {
    return parseWheelFilename(name);
  } catch (error) {
    if (error instanceof InvalidWheelNameError) throw error;
    throw new WheelRejectedError(name, `invalid wheel filename: ${String(error)}`, { cause: error });
  }
}
