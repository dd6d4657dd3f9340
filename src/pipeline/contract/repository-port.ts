/**
 * What the pipeline needs from the repositories (issue 4's collector and
 * index), as a small interface: the planner reads inventories, build and
 * mirror jobs collect wheels, the request job regenerates indexes. Two
 * adapters: the main host's over `src/repository` and `src/index`
 * (`worker/repository-adapter.ts`), and a remote worker's over the served
 * index and farm api's upload API (`src/remote/remote-repository.ts`).
 */
import type { BuildProvenance } from '../../repository/inventory-schema.js';

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
  /** How farm built it (absent for mirrored, added and adopted wheels). */
  readonly build?: BuildProvenance;
  /** Where a mirrored wheel came from, recorded in the inventory. */
  readonly mirror?: { readonly url: string };
}

/** Collection details a build job adds. */
export interface CollectOptions {
  /** Name to publish under (default: the file's base name), e.g. with a higher build tag. */
  readonly filename?: string;
  /** Provenance recorded in the inventory; its recipe hash is part of the cache key. */
  readonly build?: BuildProvenance;
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
  /** Where pip in a build container finds the repository's wheels (resolution, smoke tests). */
  wheelSource(repository: string): WheelSource;
}

/** Where pip inside a build container finds a repository's published wheels. */
export type WheelSource =
  /** A directory on the worker's host (the main host's repository): mounted read-only, `--find-links`. */
  | { readonly kind: 'directory'; readonly hostPath: string }
  /** A PEP 503 index URL (a remote worker reads the served index): `--extra-index-url`. */
  | { readonly kind: 'index'; readonly url: string };

/**
 * The main host's repositories: the port, plus their directories, which only
 * a process with the repository root has. The request job (which runs there)
 * copies a reused pure wheel from one repository into another by its path.
 */
export interface LocalRepositoryPort extends RepositoryPort {
  /** `<root>/<repo>/packages`. */
  packagesDir(repository: string): string;
}
