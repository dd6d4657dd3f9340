/**
 * Validity of one PEP 440 specifier clause (`>=2.8.1`, `==2.8.*`), via
 * @renovatebot/pep440, tightened where that library is laxer than the spec
 * and `packaging`: a `.*` wildcard may only follow a plain release segment
 * (`==2.8.*`, not `==2.8a1.*` or `==1.0.post1.*`).
 */
import { validRange } from '@renovatebot/pep440';

/** `[N!]N(.N)*` with an optional `v`: the only thing a `.*` may follow. Linear: no nested quantifiers overlap. */
const RELEASE_ONLY = /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*$/i;

/** True when `clause` (operator and version, no commas) is a valid PEP 440 specifier. */
export function isValidSpecifierClause(clause: string): boolean {
  // JavaScript's \s (which the library's regexes use) counts U+FEFF as whitespace; Python's does not.
  if (clause.includes(',') || clause.includes('\ufeff') || !validRange(clause)) return false;
  // `===` compares text, so a trailing `.*` there is just part of the string.
  if (!clause.endsWith('.*') || clause.startsWith('===')) return true;
  const version = clause.replace(/^(?:==|!=)\s*/, '').slice(0, -2);
  return RELEASE_ONLY.test(version);
}
