/**
 * PEP 440 version equality, as farm compares the versions of wheel
 * filenames, core metadata, pins and yank requests. Pure.
 */
import { eq, explain, valid } from '@renovatebot/pep440';

/**
 * PEP 440 equality (`1.0` equals `1.0.0`, `1.0+local` does not equal `1.0`);
 * text that is not a PEP 440 version equals only itself.
 */
export function sameVersion(a: string, b: string): boolean {
  return valid(a) !== null && valid(b) !== null ? eq(a, b) : a === b;
}

/** PEP 440-normalised version (`1.0.0.post1` for `1.0.0-1`); other text unchanged. */
export function normalizeVersion(version: string): string {
  const explained = explain(version);
  if (explained === null) return version;
  return explained.local === null ? explained.public : `${explained.public}+${explained.local}`;
}
