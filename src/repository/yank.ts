import { NotFoundError, UsageError } from '../errors.js';
import { regenerateIndexLocked, type RegenerateResult } from '../index/regenerate-index.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { sameVersion } from '../wheels/version-equality.js';
import { lockOptions, type RepositoryTarget } from './add-wheels.js';
import { readProjectInventory, writeProjectInventory } from './inventory-store.js';
import { withLock } from './repository-lock.js';
import { repositoryPaths } from './repository-paths.js';

export interface YankOptions extends RepositoryTarget {
  /** Project name, in any spelling (`Foo_Bar` finds `foo-bar`). */
  readonly project: string;
  /** Yank every file of this version (PEP 440 equality: `1.0` matches `1.0.0`)… */
  readonly version?: string;
  /** …or this one file. Exactly one of `version` and `file` is required. */
  readonly file?: string;
  /** Why (PEP 592 `data-yanked`); shown by pip when it installs a yanked file anyway. */
  readonly reason?: string;
  /** Regenerate the index afterwards (default true). */
  readonly index?: boolean;
}

export interface YankResult {
  /** Files whose yanked state changed. */
  readonly changed: readonly string[];
  /** Files that already were in the requested state. */
  readonly unchanged: readonly string[];
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
  if ((options.version === undefined) === (options.file === undefined)) {
    throw new UsageError('name either a version or a file to yank, not both and not neither');
  }
  const paths = repositoryPaths(options.root, options.repository);
  const project = normalizeName(options.project);
  const reason = yanked ? (options.reason ?? '') : '';
  return withLock(
    paths.lock,
    async () => {
      const inventory = readProjectInventory(paths, project);
      const matches = (inventory?.files ?? []).filter((f) =>
        options.file !== undefined ? f.filename === options.file : sameVersion(f.version, options.version!),
      );
      if (inventory === undefined || matches.length === 0) {
        throw new NotFoundError(
          `${options.project} ${options.file ?? options.version}: no such file in repository '${paths.name}'`,
        );
      }
      const changed: string[] = [];
      const unchanged: string[] = [];
      const files = inventory.files.map((f) => {
        if (!matches.includes(f)) return f;
        if (f.yanked === yanked && f.yankedReason === reason) {
          unchanged.push(f.filename);
          return f;
        }
        changed.push(f.filename);
        return { ...f, yanked, yankedReason: reason };
      });
      if (changed.length > 0) writeProjectInventory(paths, { ...inventory, files });
      const index = options.index === false ? null : await regenerateIndexLocked(paths, false);
      return { changed, unchanged, index };
    },
    lockOptions(options),
  );
}
