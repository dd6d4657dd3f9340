/**
 * What makes two wheel files "the same file" to an installer, whatever their
 * spelling. pip matches `good==1.0` by PEP 440 equality and picks among files
 * by tag, so `Good-1.0-…`, `GOOD-01.0-…` and `good-1.0.0-…` all answer the
 * same question; a repository that holds two of them with different bytes
 * serves different bytes for one release. Pure.
 */
import { sameVersion } from './version-equality.js';
import { compareBuildTags, type BuildTag, type WheelFilename } from './wheel-filename.js';

/**
 * True when an installer could take either file for the same request on the
 * same platform: same normalised project, PEP 440-equal version, same build
 * tag, and at least one expanded tag in common (`py3-none-any` and
 * `py2.py3-none-any` overlap; `…-manylinux_2_17_x86_64` and
 * `…-musllinux_1_1_x86_64` don't).
 */
export function sameWheelIdentity(a: WheelFilename, b: WheelFilename): boolean {
  if (a.name !== b.name || !sameVersion(a.version, b.version)) return false;
  if (compareBuildTags(a.buildTag, b.buildTag) !== 0) return false;
  const tags = new Set(a.tags);
  return b.tags.some((t) => tags.has(t));
}

/**
 * The canonical spelling of a wheel's filename (the binary distribution
 * format's rules): the name normalised with `_` for separators and lower
 * case, the version PEP 440-normalised (or `version`, to keep the spelling a
 * repository already uses for an equal version), the build tag without
 * leading zeros, and each tag part lower case without repeated components.
 */
export function canonicalWheelFilename(wheel: WheelFilename, version: string = wheel.normalizedVersion): string {
  const name = wheel.name.replace(/-/g, '_');
  const build = wheel.buildTag === null ? [] : [formatBuildTag(wheel.buildTag)];
  const part = (components: readonly string[]): string => [...new Set(components)].join('.');
  return `${[name, version, ...build, part(wheel.pythonTags), part(wheel.abiTags), part(wheel.platformTags)].join('-')}.whl`;
}

function formatBuildTag(tag: BuildTag): string {
  return `${tag.number}${tag.suffix}`;
}
