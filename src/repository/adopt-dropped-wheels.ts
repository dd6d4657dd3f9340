import fs from 'node:fs';
import path from 'node:path';
import { WheelRejectedError } from '../errors.js';
import { parseWheelFilename } from '../wheels/wheel-filename.js';
import { collectWheelLocked, type CollectedWheel } from './collect-wheel.js';
import { readProjectInventory, writeProjectInventory } from './inventory-store.js';
import type { RepositoryPaths } from './repository-paths.js';
import { followOwnChange, packagesMtimeNs, readScanState, writeScanState, type RejectedDrop } from './scan-state.js';
import { verifyPublishedLocked, type AlteredFile } from './verify-published.js';

/** A file in `packages/` that farm did not index, and why. */
export interface RejectedFile {
  readonly file: string;
  readonly reason: string;
}

/** What a scan of `packages/` found. */
export interface ScanResult {
  /** False when `packages/` was unchanged since the last scan and only earlier rejects were re-examined. */
  readonly scanned: boolean;
  /** Wheels dropped in by hand that passed the checks and are now recorded. */
  readonly adopted: readonly CollectedWheel[];
  /** Wheels dropped in by hand that failed the checks: left in place, not indexed. */
  readonly rejected: readonly RejectedFile[];
  /** Recorded wheels whose file was deleted by hand: forgotten (record and `.metadata` removed). */
  readonly forgotten: readonly string[];
  /** Published wheels whose bytes are not the recorded ones: kept out of the index (see `verifyPublishedLocked`). */
  readonly altered: readonly AlteredFile[];
}

/**
 * Takes over a hand-filled `packages/` (scp, lftp) without a migration. The
 * caller holds the repository lock.
 *
 * A wheel without its `<wheel>.metadata` beside it was not collected by farm:
 * it is checked and recorded in place like any collected wheel, or reported
 * and left alone (never deleted) when a check fails. A `.metadata` without its
 * wheel means the wheel was deleted by hand: its record is dropped.
 *
 * The `readdir` only happens when `packages/` changed since the last scan
 * (its mtime moves with every added, renamed or removed entry) or with
 * `force`. Earlier rejects are re-examined on every run when their size or
 * mtime changed, because an upload still in progress changes the file, not
 * the directory.
 *
 * With `force` (`farm index --full`) every published wheel is also checked
 * against its record (`verifyPublishedLocked`); files found altered before
 * are re-checked on every run until they are restored or replaced.
 */
export async function scanPackagesLocked(paths: RepositoryPaths, force: boolean): Promise<ScanResult> {
  const state = readScanState(paths);
  const mtimeBefore = packagesMtimeNs(paths);
  if (mtimeBefore === null) return { scanned: false, adopted: [], rejected: [], forgotten: [], altered: [] };
  const scanned = force || state.packagesMtimeNs !== mtimeBefore;

  let candidates: string[];
  let orphans: string[] = [];
  let present: Set<string> | undefined;
  if (scanned) {
    const names = fs.readdirSync(paths.packages);
    const listed = new Set(names);
    present = listed;
    candidates = names.filter((n) => !n.startsWith('.') && n.endsWith('.whl') && !listed.has(`${n}.metadata`));
    orphans = names.filter((n) => !n.startsWith('.') && n.endsWith('.whl.metadata') && !listed.has(n.slice(0, -9)));
  } else {
    candidates = Object.keys(state.rejected);
  }

  const adopted: CollectedWheel[] = [];
  const rejected: Record<string, RejectedDrop> = {};
  // The mtime seen before the readdir, moved along by farm's own writes only.
  let tracked: string | null = mtimeBefore;
  for (const name of candidates.sort()) {
    const file = path.join(paths.packages, name);
    let stat: fs.Stats;
    try {
      // lstat: a symlink is judged as a link (and refused), never by its target.
      stat = fs.lstatSync(file);
    } catch {
      continue;
    }
    const earlier = state.rejected[name];
    if (earlier !== undefined && earlier.size === stat.size && earlier.mtimeMs === stat.mtimeMs) {
      rejected[name] = earlier;
      continue;
    }
    try {
      const { packagesMtime, ...wheel } = await collectWheelLocked(paths, file);
      adopted.push(wheel);
      tracked = followOwnChange(tracked, packagesMtime);
    } catch (error) {
      if (!(error instanceof WheelRejectedError)) throw error;
      rejected[name] = { size: stat.size, mtimeMs: stat.mtimeMs, reason: error.reason };
    }
  }

  const forgotten: string[] = [];
  for (const orphan of orphans.sort()) {
    const wheelName = orphan.slice(0, -'.metadata'.length);
    let project: string;
    try {
      project = parseWheelFilename(wheelName).name;
    } catch {
      continue;
    }
    const inventory = readProjectInventory(paths, project);
    if (inventory?.files.some((f) => f.filename === wheelName)) {
      writeProjectInventory(paths, { ...inventory, files: inventory.files.filter((f) => f.filename !== wheelName) });
      forgotten.push(wheelName);
    }
    const before = packagesMtimeNs(paths);
    fs.rmSync(path.join(paths.packages, orphan), { force: true });
    tracked = followOwnChange(tracked, { before, after: packagesMtimeNs(paths) });
  }

  const earlierAltered = state.altered ?? {};
  const verified =
    force || Object.keys(earlierAltered).length > 0
      ? await verifyPublishedLocked(paths, force ? { listed: present } : { only: earlierAltered })
      : { altered: [], stillAltered: {} };

  // Recording the mtime seen *before* the readdir (moved only by farm's own
  // writes) means a wheel dropped in during this scan makes the next run scan
  // again instead of being missed.
  const same = (a: object, b: object): boolean => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  const unchanged = tracked === state.packagesMtimeNs && same(rejected, state.rejected) && same(verified.stillAltered, earlierAltered);
  if (!unchanged) {
    const altered = Object.keys(verified.stillAltered).length > 0 ? { altered: verified.stillAltered } : {};
    writeScanState(paths, { format: 1, packagesMtimeNs: tracked, rejected, ...altered });
  }
  return {
    scanned,
    adopted,
    rejected: Object.entries(rejected).map(([file, r]) => ({ file, reason: r.reason })),
    forgotten,
    altered: verified.altered,
  };
}
