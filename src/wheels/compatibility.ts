import type { Target } from '../targets/catalog.js';
import { supportedTags } from './supported-tags.js';
import { compareBuildTags, parseWheelFilename, type WheelFilename } from './wheel-filename.js';

type TagTarget = Pick<Target, 'libc' | 'arch' | 'libcVersion'>;

const rankCache = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

function ranks(target: TagTarget, pythonVersion: string): ReadonlyMap<string, number> {
  const tags = supportedTags(target, pythonVersion);
  let map = rankCache.get(tags);
  if (map === undefined) {
    map = new Map(tags.map((t, i) => [t, i]));
    rankCache.set(tags, map);
  }
  return map;
}

const parsed = (wheel: WheelFilename | string): WheelFilename =>
  typeof wheel === 'string' ? parseWheelFilename(wheel) : wheel;

/**
 * The wheel's rank for `target` and CPython `pythonVersion`: the index of its
 * best tag in `supportedTags()` (0 is best), or `null` when none of its tags
 * is supported. Lower is preferred, as pip prefers.
 *
 * @throws InvalidWheelNameError when given a malformed filename.
 */
export function wheelPriority(
  wheel: WheelFilename | string,
  target: TagTarget,
  pythonVersion: string,
): number | null {
  const rank = ranks(target, pythonVersion);
  let best: number | null = null;
  for (const tag of parsed(wheel).tags) {
    const r = rank.get(tag);
    if (r !== undefined && (best === null || r < best)) best = r;
  }
  return best;
}

/**
 * Whether pip on `target` running CPython `pythonVersion` would install this
 * wheel: at least one of its (expanded) tags is supported there.
 *
 * @throws InvalidWheelNameError when given a malformed filename.
 */
export function isWheelInstallable(
  wheel: WheelFilename | string,
  target: TagTarget,
  pythonVersion: string,
): boolean {
  return wheelPriority(wheel, target, pythonVersion) !== null;
}

/**
 * Picks the wheel pip would choose among files of one project version: the
 * best tag rank, then the highest build tag. `undefined` when none installs.
 */
export function selectBestWheel<W extends WheelFilename | string>(
  wheels: readonly W[],
  target: TagTarget,
  pythonVersion: string,
): W | undefined {
  let best: { wheel: W; rank: number; parsed: WheelFilename } | undefined;
  for (const wheel of wheels) {
    const p = parsed(wheel);
    const rank = wheelPriority(p, target, pythonVersion);
    if (rank === null) continue;
    if (
      best === undefined ||
      rank < best.rank ||
      (rank === best.rank && compareBuildTags(p.buildTag, best.parsed.buildTag) > 0)
    ) {
      best = { wheel, rank, parsed: p };
    }
  }
  return best?.wheel;
}
