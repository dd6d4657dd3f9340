import { readFileIfExistsSync, writeFileAtomicSync } from '../repository/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import type { RootEntry } from './render-root.js';

/**
 * `.farm/index-summary.json`: what the last regeneration published, one
 * compact row per project. An incremental run rebuilds the root pages from it
 * without opening 20,000 inventory files, and any run skips a project whose
 * input digest (renderers + inventory bytes, see `pagesInputDigest`) is
 * unchanged.
 *
 * Row: `[project, name, latestVersion, files, inputDigest, [htmlBytes, jsonBytes, legacyBytes]]`.
 */
export type SummaryRow = [string, string, string | null, number, string, [number, number, number]];

export interface IndexSummary {
  readonly format: 1;
  /** `rendererFingerprint()` of the farm that wrote it; another one means full regeneration. */
  readonly renderer: string;
  /** sha1 of `simple/index.html` + `simple/index.json` as last published. */
  readonly rootSimple: string | null;
  /** sha1 of the page for humans as last published. */
  readonly rootHuman: string | null;
  /** Sorted by project. */
  readonly projects: SummaryRow[];
}

/** A published project: its root-page facts and what was written for it. */
export interface PublishedProject extends RootEntry {
  readonly digest: string;
  readonly sizes: readonly [number, number, number];
}

export function toRow(p: PublishedProject): SummaryRow {
  return [p.project, p.name, p.latestVersion, p.files, p.digest, [p.sizes[0], p.sizes[1], p.sizes[2]]];
}

export function fromRow(row: SummaryRow): PublishedProject {
  return { project: row[0], name: row[1], latestVersion: row[2], files: row[3], digest: row[4], sizes: row[5] };
}

/**
 * Reads the summary; `undefined` when it is missing or malformed, and the
 * caller falls back to a full regeneration, which rewrites it.
 *
 * Checked by hand rather than with a zod schema: it is farm's private cache
 * (never user input, replaced atomically, rebuilt by `farm index --full`), it
 * is read on every incremental run, and schema-parsing 20,000 tuples would
 * take most of that run's 50 ms budget.
 */
export function readSummary(paths: RepositoryPaths): IndexSummary | undefined {
  const bytes = readFileIfExistsSync(paths.summary);
  if (bytes === undefined) return undefined;
  try {
    const data: unknown = JSON.parse(bytes.toString('utf8'));
    return isSummary(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

export function writeSummary(paths: RepositoryPaths, summary: IndexSummary): void {
  writeFileAtomicSync(paths.summary, JSON.stringify(summary));
}

const isDigest = (v: unknown): boolean => v === null || typeof v === 'string';
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isSummary(data: unknown): data is IndexSummary {
  if (typeof data !== 'object' || data === null) return false;
  const s = data as Record<string, unknown>;
  if (s.format !== 1 || typeof s.renderer !== 'string' || !isDigest(s.rootSimple) || !isDigest(s.rootHuman)) return false;
  if (!Array.isArray(s.projects)) return false;
  for (const row of s.projects as unknown[]) {
    if (!Array.isArray(row) || row.length !== 6) return false;
    const [project, name, latest, files, digest, sizes] = row as unknown[];
    if (typeof project !== 'string' || typeof name !== 'string' || !isDigest(latest) || !isCount(files)) return false;
    if (typeof digest !== 'string' || !Array.isArray(sizes) || sizes.length !== 3 || !sizes.every(isCount)) return false;
  }
  return true;
}
