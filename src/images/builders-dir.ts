import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingFileError } from '../errors.js';
import type { RecipeFile } from './recipe-hash.js';

/** The builder families, each a directory under `builders/`; `toolchain` is the native cross toolchain image. */
export type BuilderFamily = 'glibc' | 'musl' | 'toolchain';

/** The script each family's bootstrap runs. */
export const FAMILY_SCRIPT: Readonly<Record<BuilderFamily, string>> = {
  glibc: 'glibc/make-rootfs.sh',
  musl: 'musl/build-rootfs.sh',
  toolchain: 'toolchain/make-rootfs.sh',
};

/**
 * farm's `builders/` directory. Looked up from this module upwards, so it is
 * found both from the sources (tsx, tests) and from a compiled `dist/`.
 */
export function findBuildersDir(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'builders');
    if (existsSync(path.join(candidate, FAMILY_SCRIPT.glibc))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new MissingFileError(path.join(start, 'builders'), { hint: 'farm is installed without its builders/ directory' });
}

/** Every file of a family's recipe (its directory, plus shared `lib/`), for the recipe hash. */
export async function readRecipeFiles(buildersDir: string, family: BuilderFamily): Promise<RecipeFile[]> {
  const files: RecipeFile[] = [];
  for (const sub of [family, 'lib']) {
    const dir = path.join(buildersDir, sub);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith('.md')) continue;
      files.push({ path: `${sub}/${entry.name}`, content: await readFile(path.join(dir, entry.name)) });
    }
  }
  return files;
}
