import fs from 'node:fs';
import { repositoryPaths } from './repository-paths.js';

/** Lists the repositories under `root`: directories with a `packages/` or an inventory. */
export function listRepositories(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => !name.startsWith('.'))
    .filter((name) => {
      try {
        const paths = repositoryPaths(root, name);
        return fs.existsSync(paths.packages) || fs.existsSync(paths.inventory);
      } catch {
        return false;
      }
    })
    .sort();
}
