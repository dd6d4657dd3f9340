import { ConfigError } from '../errors.js';
import { listInventoryProjects, readProjectInventory } from './inventory-store.js';
import { repositoryPaths } from './repository-paths.js';

/** One recorded wheel, as other parts of farm (the build planner) need it. */
export interface ListedWheel {
  /** Normalised project name. */
  readonly project: string;
  readonly filename: string;
  /** PEP 440-normalised version. */
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
  readonly yanked: boolean;
}

/**
 * Every wheel recorded in a repository's inventory (what the index lists),
 * sorted by project, then version. Needs no lock: inventory files are
 * replaced atomically, so a concurrent writer can't be seen half-done. An
 * unreadable inventory file is skipped (`farm index` reports it).
 *
 * @throws UsageError for an invalid repository name.
 */
export function listRepositoryWheels(root: string, repository: string): ListedWheel[] {
  const paths = repositoryPaths(root, repository);
  const wheels: ListedWheel[] = [];
  for (const project of listInventoryProjects(paths)) {
    let inventory;
    try {
      inventory = readProjectInventory(paths, project);
    } catch (error) {
      if (error instanceof ConfigError) continue;
      throw error;
    }
    for (const f of inventory?.files ?? []) {
      wheels.push({ project, filename: f.filename, version: f.version, sha256: f.sha256, size: f.size, yanked: f.yanked });
    }
  }
  return wheels;
}
