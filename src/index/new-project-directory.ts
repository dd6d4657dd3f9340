/**
 * Publishing a new project directory whole: its three pages are written
 * into a hidden staging directory, which is then renamed into place, so a
 * reader never sees a partial project. Used on the main thread
 * (publish-pages.ts) and on the background publisher's worker thread
 * (publish-worker.ts); Node built-ins only, so the worker starts fast.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Fills `staging` with the pages (`names[i]` holds `pages[i]`) and renames it to `dir`. False (and
 * nothing left behind) when `dir` turned out to exist: the caller replaces
 * its pages file by file. A leftover `staging` of a crashed run is replaced;
 * a missing parent directory is created.
 */
export function publishNewDirectory(staging: string, dir: string, names: readonly string[], pages: readonly (string | Uint8Array)[]): boolean {
  try {
    fs.mkdirSync(staging);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') fs.rmSync(staging, { recursive: true, force: true });
    else if (code === 'ENOENT') fs.mkdirSync(path.dirname(staging), { recursive: true });
    else throw error;
    fs.mkdirSync(staging);
  }
  try {
    pages.forEach((page, i) => fs.writeFileSync(path.join(staging, names[i]!), page));
    fs.renameSync(staging, dir);
    return true;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR') return false;
    throw error;
  }
}
