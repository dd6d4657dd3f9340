import type { Target } from '../targets/catalog.js';

/**
 * CPython versions the PyPA manylinux_2_28, manylinux_2_31_armv7l and
 * musllinux_1_2 images ship under `/opt/python/cpXY-cpXY` (free-threaded
 * `cp313t` builds aside). Used to tell the user, before pulling, whether a
 * configured Python is available in the image.
 */
export const OFFICIAL_PYTHON_VERSIONS: readonly string[] = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];

/** The production default image of a target, e.g. `quay.io/pypa/manylinux_2_28_x86_64`. */
export function officialImage(target: Target): string {
  return target.officialImage;
}
