/**
 * One wheel collected and indexed under one hold of the repository's writer
 * lock, as `farm add` does for a batch: what a build, a mirror or an upload
 * delivers is served at once. A remote worker reads build dependencies and
 * its dedupe from the served index, which must not lag behind the inventory,
 * and no other writer sees the wheel collected but not indexed.
 */
import { regenerateIndexLocked } from '../index/regenerate-index.js';
import { collectWheel, type CollectWheelOptions } from '../repository/add-wheels.js';
import type { CollectedWheel } from '../repository/collect-wheel.js';

/**
 * Collects the wheel (see `collectWheel` for the checks) and regenerates the
 * repository's index incrementally.
 *
 * @throws WheelRejectedError when the wheel fails a check or its name is taken by different bytes (nothing is written).
 */
export function publishWheel(options: CollectWheelOptions): Promise<CollectedWheel> {
  return collectWheel(options, async (paths) => {
    await regenerateIndexLocked(paths, false);
  });
}
