import { createHash } from 'node:crypto';

/** One file of a bootstrap recipe: its path relative to `builders/` and its content. */
export interface RecipeFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/**
 * The content hash of a bootstrap recipe: sha256 over the builder scripts and
 * the parameters. An image whose `farm.recipe-hash` label equals it was built
 * from exactly this recipe, so rebuilding it would change nothing.
 *
 * Order-independent in both inputs: files are sorted by path and parameters by
 * key, so the hash only moves when a script or a parameter does.
 */
export function recipeHash(files: readonly RecipeFile[], params: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  hash.update('farm-bootstrap-recipe/1\0');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    hash.update(`file\0${file.path}\0${content.length}\0`);
    hash.update(content);
  }
  for (const key of Object.keys(params).sort()) {
    hash.update(`param\0${key}\0${params[key]}\0`);
  }
  return `sha256:${hash.digest('hex')}`;
}
