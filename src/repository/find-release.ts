import { eq, valid } from '@renovatebot/pep440';
import { normalizeName } from '../wheels/normalize-name.js';
import type { WheelRecord } from './inventory-schema.js';
import { readProjectInventory } from './inventory-store.js';
import { repositoryPaths } from './repository-paths.js';

/** One repository's files of a release. */
export interface ReleaseFiles {
  readonly repository: string;
  /** Display name from the inventory. */
  readonly name: string;
  readonly files: readonly WheelRecord[];
}

/**
 * The recorded wheels of `project` (any spelling) at `version` (PEP 440
 * equality: `1.0` finds `1.0.0`) in each of `repositories` that has any,
 * with their provenance. Reads the inventory only; never opens a wheel.
 */
export function findRelease(root: string, repositories: readonly string[], project: string, version: string): ReleaseFiles[] {
  const normalized = normalizeName(project);
  const same = (v: string) => (valid(v) !== null && valid(version) !== null ? eq(v, version) : v === version);
  const found: ReleaseFiles[] = [];
  for (const repository of repositories) {
    const inventory = readProjectInventory(repositoryPaths(root, repository), normalized);
    const files = inventory?.files.filter((f) => same(f.version)) ?? [];
    if (inventory !== undefined && files.length > 0) found.push({ repository, name: inventory.name, files });
  }
  return found;
}
