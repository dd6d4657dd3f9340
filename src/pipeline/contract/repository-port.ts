/**
 * What the pipeline needs from the repositories (issue 4's collector and
 * index), as a small interface: the planner reads inventories, build and
 * mirror jobs collect wheels, the request job regenerates indexes. The
 * adapter over `src/repository` and `src/index` lives in
 * `repository-adapter.ts`.
 */

/** Outcome of collecting one wheel. */
export interface CollectOutcome {
  /** The filename now in `<root>/<repo>/packages/`. */
  filename: string;
  /** False when the identical file was already there (a no-op). */
  added: boolean;
}

/** One recorded wheel, with how farm built it when it did. */
export interface WheelEntry {
  readonly filename: string;
  readonly sha256: string;
  /** Recipe hash of a wheel farm built; absent for mirrored, added and adopted wheels. */
  readonly recipeHash?: string;
}

/** Collection details a build job adds. */
export interface CollectOptions {
  /** Name to publish under (default: the file's base name), e.g. with a higher build tag. */
  readonly filename?: string;
  /** Provenance recorded in the inventory: part of the cache key. */
  readonly build?: { readonly recipeHash: string; readonly image?: string; readonly requestId?: string; readonly target?: string; readonly python?: string };
  /** Where a mirrored wheel came from, recorded in the inventory. */
  readonly mirror?: { readonly url: string };
}

export interface RepositoryPort {
  /**
   * Wheel filenames recorded for these projects (normalised names) in a
   * repository; empty when it does not exist yet.
   */
  listWheels(repository: string, projects: readonly string[]): Promise<string[]>;
  /** Like `listWheels`, with each wheel's sha256 and build provenance. */
  listWheelEntries(repository: string, projects: readonly string[]): Promise<WheelEntry[]>;
  /**
   * Collects a wheel: checked, atomic, immutable. The same bytes again are a
   * no-op; different bytes under an existing name throw `WheelRejectedError`.
   */
  collect(repository: string, wheelPath: string, options?: CollectOptions): Promise<CollectOutcome>;
  /** Regenerates the repository's index (incrementally). */
  regenerateIndex(repository: string): Promise<void>;
  /** Host directory holding the repository's wheels (mounted read-only into smoke tests). */
  packagesDir(repository: string): string;
}
