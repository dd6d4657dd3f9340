import fs from 'node:fs';
import { z } from 'zod';
import { validate } from '../validation/validate.js';
import { readFileIfExistsSync, writeFileAtomicSync } from '../files/atomic-file.js';
import type { RepositoryPaths } from './repository-paths.js';

/** A wheel found in `packages/` that failed the checks: reported, left in place, not indexed. */
export const RejectedDrop = z.strictObject({
  size: z.number().nonnegative(),
  mtimeMs: z.number(),
  reason: z.string(),
});
export type RejectedDrop = z.infer<typeof RejectedDrop>;

/**
 * `.farm/scan-state.json`: what the last scan of `packages/` saw. The
 * directory's mtime changes whenever an entry is added, renamed or removed,
 * so an unchanged mtime means no new wheel was dropped in and the scan (a
 * `readdir` of possibly 200,000 names) can be skipped.
 */
export const ScanState = z.strictObject({
  format: z.literal(1),
  /** `packages/` mtime in nanoseconds (as a string) after the last scan, or after farm's own writes. */
  packagesMtimeNs: z.string().nullable(),
  rejected: z.record(z.string(), RejectedDrop),
  /**
   * Published files found with other bytes than recorded (filename → project),
   * re-checked on every run until restored or replaced.
   */
  altered: z.record(z.string(), z.string()).optional(),
});
export type ScanState = z.infer<typeof ScanState>;

const EMPTY: ScanState = { format: 1, packagesMtimeNs: null, rejected: {} };

/** Reads the scan state; a missing or unreadable one just forces a scan. */
export function readScanState(paths: RepositoryPaths): ScanState {
  const bytes = readFileIfExistsSync(paths.scanState);
  if (bytes === undefined) return { ...EMPTY, rejected: {} };
  try {
    return validate(ScanState, JSON.parse(bytes.toString('utf8')), paths.scanState);
  } catch {
    return { ...EMPTY, rejected: {} };
  }
}

export function writeScanState(paths: RepositoryPaths, state: ScanState): void {
  writeFileAtomicSync(paths.scanState, `${JSON.stringify(state)}\n`);
}

/** mtime of `packages/` in ns, or `null` when it doesn't exist. */
export function packagesMtimeNs(paths: RepositoryPaths): string | null {
  try {
    return fs.statSync(paths.packages, { bigint: true }).mtimeNs.toString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Follows farm's own change to `packages/`: if the directory was exactly as
 * last recorded just before the change (`before`), the recorded mtime moves
 * to `after`; otherwise something else touched it too, and `null` forces the
 * next run to list it.
 */
export function followOwnChange(tracked: string | null, change: { before: string | null; after: string | null } | null): string | null {
  if (change === null) return tracked;
  return tracked !== null && tracked === change.before ? change.after : null;
}
