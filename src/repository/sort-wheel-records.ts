import { compare, valid } from '@renovatebot/pep440';

/**
 * Orders records by PEP 440 version, oldest first, then by filename. Versions
 * that don't parse (legacy data) sort before every valid one, by string.
 * Each distinct version is ranked once, so a project with many files of the
 * same release costs one parse per release, not per comparison.
 */
export function sortByVersion<T extends { readonly version: string; readonly filename: string }>(records: readonly T[]): T[] {
  const distinct = [...new Set(records.map((r) => r.version))];
  distinct.sort(compareVersions);
  const rank = new Map(distinct.map((v, i) => [v, i]));
  return [...records].sort(
    (a, b) => rank.get(a.version)! - rank.get(b.version)! || (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0),
  );
}

/** PEP 440 comparison with a total order over invalid versions too. */
export function compareVersions(a: string, b: string): number {
  const va = valid(a) !== null;
  const vb = valid(b) !== null;
  if (va && vb) return compare(a, b);
  if (va !== vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
