import { explain } from '@renovatebot/pep440';
import { InvalidWheelNameError } from '../errors.js';
import { isValidProjectName, normalizeName } from './normalize-name.js';

/** PEP 427: a build tag is a number, optionally followed by anything; it sorts by the number, then the rest. */
export interface BuildTag {
  readonly number: number;
  readonly suffix: string;
}

/** A parsed wheel filename. Tags are lower-case, as pip compares them. */
export interface WheelFilename {
  /** The filename as given, e.g. `MarkupSafe-2.1.2-cp311-cp311-linux_armv7l.whl`. */
  readonly filename: string;
  /** The distribution part as written in the filename, e.g. `MarkupSafe`. */
  readonly distribution: string;
  /** PEP 503-normalised project name, e.g. `markupsafe`. */
  readonly name: string;
  /** The version exactly as written (a valid PEP 440 version). */
  readonly version: string;
  /** PEP 440-normalised version, for comparisons and keys (`1.0.0-rc1` → `1.0.0rc1`). */
  readonly normalizedVersion: string;
  readonly buildTag: BuildTag | null;
  /** The compressed tag set's components, in file order: `py2.py3` → `['py2','py3']`. */
  readonly pythonTags: readonly string[];
  readonly abiTags: readonly string[];
  readonly platformTags: readonly string[];
  /** Every `python-abi-platform` triple the compressed tag set expands to (PEP 425). */
  readonly tags: readonly string[];
}

const TAG_COMPONENT = /^[a-z0-9_]+$/;
const BUILD_TAG = /^(\d+)(.*)$/;
/** PEP 427 escapes `-` in names to `_`; older wheels kept `.`. */
const DISTRIBUTION = /^[A-Za-z0-9._]+$/;

/**
 * Parses a wheel filename per the binary distribution format (PEP 427) and
 * expands its compressed tag set (PEP 425). Accepts a bare filename only:
 * anything with a path separator is refused, so the result is safe to join
 * to a directory.
 *
 * @throws InvalidWheelNameError saying which part is wrong.
 */
export function parseWheelFilename(filename: string): WheelFilename {
  const fail = (problem: string): never => {
    throw new InvalidWheelNameError(filename, problem);
  };
  if (/[/\\\0]/.test(filename)) fail('must be a bare file name, without "/", "\\" or NUL');
  if (!filename.endsWith('.whl')) fail('must end with ".whl"');
  const stem = filename.slice(0, -'.whl'.length);
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    fail(
      `expected {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl, got ${parts.length} dash-separated parts`,
    );
  }
  const [distribution, version] = parts as [string, string];
  const [python, abi, platform] = parts.slice(-3) as [string, string, string];
  const build = parts.length === 6 ? parts[2]! : null;

  if (!DISTRIBUTION.test(distribution) || distribution.includes('__') || !isValidProjectName(distribution)) {
    fail(`bad distribution name '${distribution}' (letters, digits, "_" and "." only; must start and end with a letter or digit)`);
  }
  // explain() parses strictly (no surrounding spaces); its `clean()` mangles local versions.
  const explained = explain(version);
  if (explained === null) fail(`bad version '${version}' (not a PEP 440 version)`);
  const normalizedVersion = explained!.local === null ? explained!.public : `${explained!.public}+${explained!.local}`;

  let buildTag: BuildTag | null = null;
  if (build !== null) {
    const m = BUILD_TAG.exec(build);
    if (m === null) fail(`bad build tag '${build}' (must start with a digit)`);
    buildTag = { number: Number(m![1]), suffix: m![2]! };
  }

  const split = (kind: string, value: string): string[] => {
    const components = value.toLowerCase().split('.');
    for (const c of components) {
      if (!TAG_COMPONENT.test(c)) fail(`bad ${kind} tag '${value}' (components are letters, digits and "_", joined by ".")`);
    }
    return components;
  };
  const pythonTags = split('python', python);
  const abiTags = split('abi', abi);
  const platformTags = split('platform', platform);

  const tags: string[] = [];
  for (const p of pythonTags) for (const a of abiTags) for (const pl of platformTags) tags.push(`${p}-${a}-${pl}`);

  return {
    filename,
    distribution,
    name: normalizeName(distribution),
    version,
    normalizedVersion,
    buildTag,
    pythonTags,
    abiTags,
    platformTags,
    tags: [...new Set(tags)],
  };
}

/** True when `filename` parses as a wheel filename. */
export function isWheelFilename(filename: string): boolean {
  try {
    parseWheelFilename(filename);
    return true;
  } catch (error) {
    if (error instanceof InvalidWheelNameError) return false;
    throw error;
  }
}

/** True for a pure-Python wheel: every tag is `*-none-any`, so one file serves every target. */
export function isPureWheel(wheel: WheelFilename | string): boolean {
  const parsed = typeof wheel === 'string' ? parseWheelFilename(wheel) : wheel;
  return parsed.tags.every((t) => t.endsWith('-none-any'));
}

/**
 * Orders build tags the way pip does: no build tag sorts first, then by
 * number, then by suffix. Negative when `a` is older than `b`.
 */
export function compareBuildTags(a: BuildTag | null, b: BuildTag | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a.number !== b.number) return a.number - b.number;
  return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
}

/**
 * The same wheel filename with PEP 427 build tag `n` (replacing any build tag
 * it had): `p-1.0-cp311-cp311-linux_x86_64.whl`, 1 → `p-1.0-1-cp311-cp311-linux_x86_64.whl`.
 * A rebuild gets a new name this way instead of overwriting: pip prefers the
 * higher build tag.
 *
 * @throws InvalidWheelNameError for a bad filename.
 * @throws RangeError when `n` is not a non-negative integer.
 */
export function withBuildTag(filename: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`withBuildTag: bad build number ${n}`);
  parseWheelFilename(filename);
  const parts = filename.slice(0, -'.whl'.length).split('-');
  return `${[...parts.slice(0, 2), String(n), ...parts.slice(-3)].join('-')}.whl`;
}

/*
 * Parts of a wheel filename the index already validated (its records only
 * hold names `parseWheelFilename` accepted), sliced from the end without a
 * split: a full regeneration asks for them once per wheel.
 */

/** The tag part: `cp311-cp311-manylinux_2_17_x86_64`. */
export function wheelTags(filename: string): string {
  const stem = filename.endsWith('.whl') ? filename.slice(0, -4) : filename;
  let cut = stem.length;
  for (let dashes = 0; dashes < 3 && cut > 0; dashes++) cut = stem.lastIndexOf('-', cut - 1);
  return cut < 0 ? stem : stem.slice(cut + 1);
}

/** The platform tags, lowercased: `['manylinux_2_17_x86_64', 'manylinux2014_x86_64']`. */
export function wheelPlatforms(filename: string): string[] {
  const stem = filename.endsWith('.whl') ? filename.slice(0, -4) : filename;
  return stem.slice(stem.lastIndexOf('-') + 1).toLowerCase().split('.');
}
