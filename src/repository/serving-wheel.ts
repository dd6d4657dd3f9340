/**
 * The wheel of a repository that serves a pinned package on a target: the
 * planner's "cached" and the build job's "already published" are the same
 * question. Pure.
 */
import type { Target } from '../targets/catalog.js';
import { selectBestWheel } from '../wheels/compatibility.js';
import { sameVersion } from '../wheels/version-equality.js';
import { isWheelFilename, parseWheelFilename } from '../wheels/wheel-filename.js';

/** One wheel of a repository inventory, with the recipe hash of a wheel farm built. */
export interface InventoryWheel {
  readonly filename: string;
  /** Absent for mirrored, added and adopted wheels: they serve whatever the recipe. */
  readonly recipeHash?: string;
}

/** What is wanted: a pinned project version, built with a recipe. */
export interface WantedWheel {
  /** Normalised project name. */
  readonly name: string;
  readonly version: string;
  /** `recipeHash()` of the effective recipe: part of the cache key. */
  readonly recipeHash: string;
}

/**
 * The wheel pip would choose for `wanted` on `target` with CPython `python`
 * among `wheels`, or `undefined`. A wheel farm built counts only when it was
 * built with the same recipe; versions compare by PEP 440 (`1.0` is `1.0.0`).
 */
export function servingWheel(wheels: readonly InventoryWheel[], wanted: WantedWheel, target: Pick<Target, 'libc' | 'arch' | 'libcVersion'>, python: string): string | undefined {
  const candidates = wheels
    .filter((wheel) => wheel.recipeHash === undefined || wheel.recipeHash === wanted.recipeHash)
    .map((wheel) => wheel.filename)
    .filter((file) => {
      if (!isWheelFilename(file)) return false;
      const parsed = parseWheelFilename(file);
      return parsed.name === wanted.name && sameVersion(parsed.version, wanted.version);
    });
  return selectBestWheel(candidates, target, python);
}
