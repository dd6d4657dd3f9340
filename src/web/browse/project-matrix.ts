/**
 * A project's versions × targets matrix: for each version and each target
 * of the repository, which wheel serves it and how it got there. Pure.
 */
import type { IndexFile } from '../../index/project-view.js';
import type { MirrorProvenance } from '../../repository/inventory-schema.js';
import { TARGETS, type Target } from '../../targets/catalog.js';
import { platformTags } from '../../targets/platform-tags.js';
import { wheelPlatforms } from '../../wheels/wheel-filename.js';

/**
 * A wheel as the browser shows it: the index's facts plus where it came
 * from (the inventory's `origin`, `build` and `mirror`, when recorded).
 */
export interface BrowserFile extends IndexFile {
  readonly origin?: string;
  /** Where farm mirrored it from. */
  readonly mirror?: MirrorProvenance;
}

/**
 * - `built`: farm built it (it has build provenance);
 * - `mirrored`: farm downloaded upstream's wheel;
 * - `added`: put there by `farm add` or dropped into `packages/` (adopted);
 * - `yanked`: every wheel that would serve the cell is yanked;
 * - `missing`: no wheel of this version installs on the target.
 */
export type CellState = 'built' | 'mirrored' | 'added' | 'yanked' | 'missing';

export interface MatrixCell {
  readonly state: CellState;
  /** The wheels of this version that install on the target (any Python), best first: not yanked, built, mirrored. */
  readonly files: readonly BrowserFile[];
}

export interface ProjectMatrix {
  /** Target ids, the columns. */
  readonly targets: readonly string[];
  /** Versions, newest first: the rows. */
  readonly versions: readonly string[];
  /** `cells[row][column]`. */
  readonly cells: readonly (readonly MatrixCell[])[];
}

const platformSets = new Map<string, ReadonlySet<string>>();

function platformsOf(target: Target): ReadonlySet<string> {
  let set = platformSets.get(target.id);
  if (set === undefined) {
    set = new Set(['any', ...platformTags(target)]);
    platformSets.set(target.id, set);
  }
  return set;
}

/** The targets whose wheels go to `repository` by default; every target when none does. */
export function repositoryTargets(repository: string): Target[] {
  const own = [...TARGETS.values()].filter((t) => t.repository === repository);
  return own.length > 0 ? own : [...TARGETS.values()];
}

function rank(file: BrowserFile): number {
  if (file.yanked) return 3;
  return file.build !== undefined ? 0 : file.mirror !== undefined ? 1 : 2;
}

function cellState(files: readonly BrowserFile[]): CellState {
  if (files.length === 0) return 'missing';
  const best = files[0]!;
  if (best.yanked) return 'yanked';
  return best.build !== undefined ? 'built' : best.mirror !== undefined ? 'mirrored' : 'added';
}

/** The matrix of `files` (one project's, oldest version first, as the inventory keeps them). */
export function projectMatrix(files: readonly BrowserFile[], targets: readonly Target[]): ProjectMatrix {
  const byVersion = new Map<string, BrowserFile[]>();
  for (const file of files) {
    const list = byVersion.get(file.version);
    if (list === undefined) byVersion.set(file.version, [file]);
    else list.push(file);
  }
  const versions = [...byVersion.keys()].reverse();
  const cells = versions.map((version) => {
    const ofVersion = byVersion.get(version)!;
    const platforms = ofVersion.map((f) => wheelPlatforms(f.filename));
    return targets.map((target) => {
      const accepted = platformsOf(target);
      const serving = ofVersion.filter((_, i) => platforms[i]!.some((p) => accepted.has(p)));
      if (serving.length > 1) serving.sort((a, b) => rank(a) - rank(b));
      return { state: cellState(serving), files: serving };
    });
  });
  return { targets: targets.map((t) => t.id), versions, cells };
}
