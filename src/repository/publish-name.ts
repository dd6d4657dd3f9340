/**
 * The name a freshly built wheel is published under. Wheels are immutable
 * (issue 4) and a rebuild with another recipe is rarely byte-identical, so a
 * rebuild never takes the place of the wheel it supersedes: it gets the next
 * PEP 427 build tag, which pip prefers. Pure: filenames and digests in, a
 * filename out.
 */
import { compareBuildTags, isWheelFilename, parseWheelFilename, withBuildTag, type WheelFilename } from '../wheels/wheel-filename.js';
import { sameVersion } from '../wheels/version-equality.js';

/** A wheel already in the repository. */
export interface PublishedWheel {
  readonly filename: string;
  readonly sha256: string;
}

const tagSet = (w: WheelFilename): string => `${w.pythonTags.join('.')}-${w.abiTags.join('.')}-${w.platformTags.join('.')}`;

/**
 * `built` when the repository holds no wheel of the same project, version and
 * tag set; the existing name when the newest of those (highest build tag) has
 * exactly these bytes (collecting is then a no-op); otherwise `built` with a
 * build tag one above the highest among them (no build tag counts as 0).
 */
export function publishName(built: string, sha256: string, existing: readonly PublishedWheel[]): string {
  const wheel = parseWheelFilename(built);
  const same = existing
    .filter((e) => isWheelFilename(e.filename))
    .map((e) => ({ ...e, parsed: parseWheelFilename(e.filename) }))
    .filter(
      (e) =>
        e.parsed.name === wheel.name &&
        sameVersion(e.parsed.version, wheel.version) &&
        tagSet(e.parsed) === tagSet(wheel),
    );
  if (same.length === 0) return built;
  const newest = same.reduce((a, b) => (compareBuildTags(b.parsed.buildTag, a.parsed.buildTag) > 0 ? b : a));
  const identical = same.find(
    (e) => e.sha256 === sha256 && compareBuildTags(e.parsed.buildTag, newest.parsed.buildTag) === 0,
  );
  if (identical !== undefined) return identical.filename;
  return withBuildTag(built, (newest.parsed.buildTag?.number ?? 0) + 1);
}
