import { z } from 'zod';
import { readFileIfExistsSync, writeFileAtomicSync } from '../repository/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import { validate } from '../validation/validate.js';
import type { RootEntry } from './render-root.js';

/**
 * `.farm/index-summary.json`: what the last regeneration published, one
 * compact row per project. It lets an incremental run rebuild the root pages
 * without opening 20,000 inventory files, and lets any run skip rewriting a
 * page whose rendering hasn't changed.
 *
 * Row: `[project, name, latestVersion, files, digest, [htmlBytes, jsonBytes, legacyBytes]]`,
 * where `digest` is the sha1 of the three rendered pages.
 */
export const SummaryRow = z.tuple([
  z.string(),
  z.string(),
  z.string().nullable(),
  z.int().nonnegative(),
  z.string(),
  z.tuple([z.int().nonnegative(), z.int().nonnegative(), z.int().nonnegative()]),
]);
export type SummaryRow = z.infer<typeof SummaryRow>;

export const IndexSummary = z.strictObject({
  format: z.literal(1),
  /** sha1 of the three root pages as last published. */
  root: z.string().nullable(),
  /** Sorted by project. */
  projects: z.array(SummaryRow),
});
export type IndexSummary = z.infer<typeof IndexSummary>;

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
 * Reads the summary. A missing or invalid one (a crash can't cause that, the
 * file is replaced atomically, but a hand edit can) returns `undefined`, and
 * the caller falls back to a full regeneration, which rewrites it.
 */
export function readSummary(paths: RepositoryPaths): IndexSummary | undefined {
  const bytes = readFileIfExistsSync(paths.summary);
  if (bytes === undefined) return undefined;
  try {
    return validate(IndexSummary, JSON.parse(bytes.toString('utf8')), paths.summary);
  } catch {
    return undefined;
  }
}

export function writeSummary(paths: RepositoryPaths, summary: IndexSummary): void {
  writeFileAtomicSync(paths.summary, JSON.stringify(summary));
}
