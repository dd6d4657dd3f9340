/**
 * `farm add`: collect wheels into a repository, then regenerate its index,
 * both under one hold of the repository's writer lock so no other writer
 * sees the wheels collected but not yet indexed.
 */
import { regenerateIndexLocked, type RegenerateResult } from '../index/regenerate-index.js';
import {
  collectWheelsLocked,
  expandWheelPaths,
  lockOptions,
  discardPrepared,
  prepareWheels,
  type CollectedBatch,
  type RepositoryTarget,
} from '../repository/add-wheels.js';
import { withLock } from '../repository/repository-lock.js';
import { repositoryPaths } from '../repository/repository-paths.js';

export interface AddWheelsOptions extends RepositoryTarget {
  /** Wheel files and/or directories (searched recursively for `*.whl`). */
  readonly paths: readonly string[];
  /** Overwrite wheels of the same name with different bytes (default: refuse them). */
  readonly replace?: boolean;
  /** Regenerate the index (incrementally) afterwards, under the same lock (default true). */
  readonly index?: boolean;
}

export interface AddWheelsResult extends CollectedBatch {
  /** The regeneration, unless `index: false`. */
  readonly index: RegenerateResult | null;
}

/**
 * `farm add <wheel or dir>... --repo <repo>`: collects wheels from anywhere
 * into a repository (see `collectWheelLocked` for the checks) and updates the
 * index. A refused wheel doesn't stop the others; the caller reports
 * `rejected` and exits non-zero when it isn't empty.
 *
 * @throws MissingFileError when a named path doesn't exist (before anything is collected).
 * @throws UsageError for an invalid repository name.
 */
export async function addWheels(options: AddWheelsOptions): Promise<AddWheelsResult> {
  const paths = repositoryPaths(options.root, options.repository);
  const wheels = expandWheelPaths(options.paths);
  // Copy and check before taking the lock: a large wheel doesn't hold up other writers.
  const prepared = await prepareWheels(paths, wheels);
  try {
    return await withLock(
      paths.lock,
      async () => {
        const batch = await collectWheelsLocked(paths, wheels, { replace: options.replace === true, prepared });
        const index = options.index === false ? null : await regenerateIndexLocked(paths, false);
        return { ...batch, index };
      },
      lockOptions(options),
    );
  } finally {
    discardPrepared(prepared);
  }
}
