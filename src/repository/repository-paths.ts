import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Where everything of one repository lives. The public tree (what a web server
 * exposes) is `packages/`, `simple/`, `pypi/` and `index.html`; farm's private
 * state is under `.farm/`, which every shipped server config refuses to serve.
 */
export interface RepositoryPaths {
  /** Repository directory name, e.g. `glibc`. */
  readonly name: string;
  /** `<root>/<repo>`. */
  readonly dir: string;
  /** `<root>/<repo>/packages`: the wheels and their PEP 658 `.metadata` files. */
  readonly packages: string;
  /** `<root>/<repo>/simple`: PEP 503/691 pages. */
  readonly simple: string;
  /** `<root>/<repo>/pypi`: a symlink to `simple`, so the legacy `pypi/<name>/json` is `simple/<name>/json`. */
  readonly pypi: string;
  /** `<root>/<repo>/index.html`: the page for humans. */
  readonly humanPage: string;
  /** `<root>/<repo>/.farm`: private state. */
  readonly state: string;
  /** One JSON file per normalised project name. */
  readonly inventory: string;
  /** Empty marker files naming projects whose pages are out of date. */
  readonly dirty: string;
  /** Temporary files on the same file system as the published ones. */
  readonly tmp: string;
  /** What the last regeneration published, for cheap incremental runs. */
  readonly summary: string;
  /** What the last scan of `packages/` saw. */
  readonly scanState: string;
  /** The writers' lock file. */
  readonly lock: string;
}

/** A repository directory name: a plain name like `glibc`, never a path. */
const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Paths of repository `name` under `root`.
 *
 * @throws UsageError when `name` is not a plain directory name (so it can't
 *   point outside the root).
 */
export function repositoryPaths(root: string, name: string): RepositoryPaths {
  if (!REPOSITORY_NAME.test(name) || name.includes('..')) {
    throw new UsageError(`invalid repository name '${name}': expected a plain directory name like "glibc"`);
  }
  const dir = path.join(path.resolve(root), name);
  const state = path.join(dir, '.farm');
  return {
    name,
    dir,
    packages: path.join(dir, 'packages'),
    simple: path.join(dir, 'simple'),
    pypi: path.join(dir, 'pypi'),
    humanPage: path.join(dir, 'index.html'),
    state,
    inventory: path.join(state, 'inventory'),
    dirty: path.join(state, 'dirty'),
    tmp: path.join(state, 'tmp'),
    summary: path.join(state, 'index-summary.json'),
    scanState: path.join(state, 'scan-state.json'),
    lock: path.join(state, 'lock'),
  };
}
