import fs from 'node:fs';
import path from 'node:path';
import { tempOwnerPid } from '../files/atomic-file.js';

/** True while a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes farm's temp files (`tempNameFor`) in `dirs` whose writing process
 * is gone: a writer killed mid-copy (`kill -9` during `farm add` of a large
 * wheel) leaves one that nothing else would ever remove. Files of a live
 * process, and hidden files farm didn't name, are left alone. Only the
 * directories themselves are listed, not their subdirectories. The caller
 * holds the repository lock, so no other writer is creating temp files.
 *
 * @returns the files removed.
 */
export function removeStaleTempFiles(dirs: readonly string[], isAlive: (pid: number) => boolean = processIsAlive): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw error;
    }
    for (const name of names) {
      const pid = tempOwnerPid(name);
      if (pid === null || pid === process.pid || isAlive(pid)) continue;
      const file = path.join(dir, name);
      fs.rmSync(file, { force: true, recursive: true });
      removed.push(file);
    }
  }
  return removed;
}
