/**
 * `RepositoryPort` over the repository and index modules (issue 4): the
 * checked, atomic, immutable collector with its inventory, and the
 * incremental index regeneration, both under the repository's writer lock.
 * A collected wheel is indexed at once, so the served index never lags
 * behind the inventory that local jobs read.
 */
import { regenerateIndex } from '../../index/regenerate-index.js';
import { publishWheel } from '../../publishing/publish-wheel.js';
import { readProjectInventory } from '../../repository/inventory-store.js';
import { repositoryPaths } from '../../repository/repository-paths.js';
import type { LocalRepositoryPort, WheelEntry } from '../contract/repository-port.js';

/** The repositories under `root`. */
export function repositoryAdapter(root: string): LocalRepositoryPort {
  return {
    async listWheels(repository, projects) {
      const paths = repositoryPaths(root, repository);
      const files: string[] = [];
      for (const project of projects) {
        const inventory = readProjectInventory(paths, project);
        if (inventory !== undefined) files.push(...inventory.files.map((f) => f.filename));
      }
      return files;
    },
    async listWheelEntries(repository, projects) {
      const paths = repositoryPaths(root, repository);
      const entries: WheelEntry[] = [];
      for (const project of projects) {
        for (const f of readProjectInventory(paths, project)?.files ?? []) {
          entries.push({
            filename: f.filename,
            sha256: f.sha256,
            ...(f.build === undefined ? {} : { recipeHash: f.build.recipeHash, build: f.build }),
          });
        }
      }
      return entries;
    },
    async collect(repository, wheelPath, options = {}) {
      // Collected and indexed under one lock hold, as the upload API does: a
      // remote worker reads what is published here (a build dependency
      // mirrored or built on this host, its dedupe) from the served index.
      const collected = await publishWheel({
        root,
        repository,
        file: wheelPath,
        ...(options.filename === undefined ? {} : { filename: options.filename }),
        ...(options.build === undefined ? {} : { build: { ...options.build } }),
        ...(options.mirror === undefined ? {} : { mirror: { ...options.mirror } }),
      });
      return { filename: collected.filename, added: collected.status !== 'unchanged' };
    },
    async regenerateIndex(repository) {
      await regenerateIndex({ root, repository });
    },
    wheelSource(repository) {
      return { kind: 'directory', hostPath: repositoryPaths(root, repository).packages };
    },
    packagesDir(repository) {
      return repositoryPaths(root, repository).packages;
    },
  };
}
