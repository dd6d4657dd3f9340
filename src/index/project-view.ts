/**
 * The index's view of one project: what every page of the project is rendered
 * from. Structurally a subset of the repository's inventory records, so the
 * renderers stay pure and don't depend on how the inventory is stored.
 */
import type { BuildProvenance } from '../repository/inventory-schema.js';

/** One published wheel. */
export interface IndexFile {
  readonly filename: string;
  /** PEP 440-normalised version. */
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
  /** ISO 8601 UTC. */
  readonly uploadTime: string;
  readonly requiresPython: string | null;
  readonly requiresDist: readonly string[];
  readonly summary: string | null;
  /** sha256 of `<wheel>.metadata` (PEP 658). */
  readonly metadataSha256: string;
  readonly yanked: boolean;
  readonly yankedReason: string;
  /** How farm built the wheel; absent for mirrored, added and adopted wheels. */
  readonly build?: BuildProvenance;
}

/** A project as the inventory stores it: files sorted by version, oldest first. */
export interface IndexProject {
  /** PEP 503-normalised name (the URL path segment). */
  readonly project: string;
  /** Display name. */
  readonly name: string;
  readonly files: readonly IndexFile[];
}

/** A project with the facts every renderer needs derived once. */
export interface ProjectView extends IndexProject {
  /** Distinct versions in file order (oldest first). */
  readonly versions: readonly string[];
  /** The newest version with a file that isn't yanked; the newest version when all are yanked. */
  readonly latestVersion: string | null;
}

/**
 * Derives the view. Relies on the inventory's order (files sorted by PEP 440
 * version), so no version is parsed here: a full regeneration of 100,000
 * wheels would otherwise spend a second in the version parser.
 */
export function projectView(project: IndexProject): ProjectView {
  const versions = new Set<string>();
  let latestVersion: string | null = null;
  for (const file of project.files) {
    versions.add(file.version);
    if (!file.yanked) latestVersion = file.version;
  }
  const list = [...versions];
  if (latestVersion === null && list.length > 0) latestVersion = list[list.length - 1]!;
  return { ...project, versions: list, latestVersion };
}

/** Files of `version`, in order. */
export function filesOfVersion(view: ProjectView, version: string): IndexFile[] {
  return view.files.filter((f) => f.version === version);
}
