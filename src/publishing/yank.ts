/**
 * `farm yank` / `farm unyank` (PEP 592): mark files in the inventory, then
 * regenerate the index, under one hold of the repository's writer lock.
 */
import { regenerateIndexLocked, type RegenerateResult } from '../index/regenerate-index.js';
import { lockOptions, type RepositoryTarget } from '../repository/add-wheels.js';
import { withLock } from '../repository/repository-lock.js';
import { repositoryPaths } from '../repository/repository-paths.js';
import { checkYankSelection, setYankedLocked, type YankChanges, type YankSelection } from '../repository/yank.js';

export interface YankOptions extends RepositoryTarget, YankSelection {
  /** Why (PEP 592 `data-yanked`); shown by pip when it installs a yanked file anyway. */
  readonly reason?: string;
  /** Regenerate the index afterwards (default true). */
  readonly index?: boolean;
}

export interface YankResult extends YankChanges {
  readonly index: RegenerateResult | null;
}

/**
 * `farm yank <project> <version|file> [--reason]` (PEP 592): the files stay
 * downloadable, but pip skips them unless pinned with `==`.
 *
 * @throws NotFoundError when no file of the project matches.
 * @throws UsageError unless exactly one of `version` and `file` is given.
 */
export async function yank(options: YankOptions): Promise<YankResult> {
  return setYanked(options, true);
}

/** `farm unyank <project> <version|file>`: undoes `yank`. */
export async function unyank(options: Omit<YankOptions, 'reason'>): Promise<YankResult> {
  return setYanked(options, false);
}

async function setYanked(options: YankOptions, yanked: boolean): Promise<YankResult> {
  checkYankSelection(options);
  const paths = repositoryPaths(options.root, options.repository);
  const reason = yanked ? (options.reason ?? '') : '';
  return withLock(
    paths.lock,
    async () => {
      const changes = setYankedLocked(paths, options, yanked, reason);
      const index = options.index === false ? null : await regenerateIndexLocked(paths, false);
      return { ...changes, index };
    },
    lockOptions(options),
  );
}
