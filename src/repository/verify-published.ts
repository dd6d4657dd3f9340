import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { hashFile } from '../files/hash-file.js';
import { WheelRecord } from './inventory-schema.js';
import { listInventoryProjects, readProjectInventory, readProjectInventoryBytes, writeProjectInventory } from './inventory-store.js';
import type { RepositoryPaths } from './repository-paths.js';

/** A published wheel whose bytes are no longer the recorded ones. */
export interface AlteredFile {
  readonly file: string;
  readonly reason: string;
}

/** What a verification found. */
export interface VerifyResult {
  /** Files whose bytes differ from their record: kept out of the index. */
  readonly altered: readonly AlteredFile[];
  /** Files that had been altered and now have their recorded bytes again. */
  readonly restored: readonly string[];
  /** Every altered file afterwards (filename → project), for the scan state. */
  readonly stillAltered: Readonly<Record<string, string>>;
}

/** What `verifyPublishedLocked` checks, and against what. */
export interface VerifyOptions {
  /** Check just these files (filename → project), e.g. the ones found altered before; default every recorded file. */
  readonly only?: Readonly<Record<string, string>>;
  /**
   * The names in `packages/` when the caller has just listed it (a full
   * scan): a recorded file not among them is missing without a `stat` of its own.
   */
  readonly listed?: ReadonlySet<string>;
  /** The clock of the `altered` notes (tests fix it). */
  readonly now?: () => Date;
}

/**
 * Checks published wheels against the inventory: the size and mtime first,
 * the sha256 only when those moved (a file rewritten with its old mtime put
 * back but a different size is caught by the size; an `mtime`-preserving
 * same-size rewrite is the one case this can't see without hashing
 * everything). The caller holds the repository lock.
 *
 * A changed file gets an `altered` note in its record, which keeps it out of
 * the index (pip would fail on the hash, or worse, install other bytes for
 * the same release) until the recorded bytes are back or `farm add
 * --replace` records new ones. A file that is missing is not judged here:
 * the adoption scan forgets records whose wheel was deleted.
 *
 */
export async function verifyPublishedLocked(paths: RepositoryPaths, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { only, listed, now = () => new Date() } = options;
  const projects = only === undefined ? listInventoryProjects(paths) : [...new Set(Object.values(only))].sort();
  const altered: AlteredFile[] = [];
  const restored: string[] = [];
  const stillAltered: Record<string, string> = {};
  for (const project of projects) {
    // Most projects have nothing to change: their files are read with a
    // schema of only the fields checked here, and the whole inventory is
    // validated (and rewritten) only for a project whose record moves.
    const quick = readRecordedFiles(paths, project);
    if (quick === undefined) continue;
    const examinations = new Map<string, Examination>();
    let moved = false;
    for (const record of quick) {
      if (only !== undefined && only[record.filename] === undefined) continue;
      if (listed !== undefined && !listed.has(record.filename)) continue;
      const examination = await examine(path.join(paths.packages, record.filename), record);
      examinations.set(record.filename, examination);
      if (examination === 'missing') continue;
      moved ||= !examination.same || record.altered !== undefined || record.mtimeMs !== examination.mtimeMs;
    }
    if (!moved) continue;
    let inventory;
    try {
      inventory = readProjectInventory(paths, project);
    } catch (error) {
      // Reported by the regeneration as a problem with that inventory.
      if (error instanceof ConfigError) continue;
      throw error;
    }
    if (inventory === undefined) continue;
    let changed = false;
    const files: WheelRecord[] = [];
    for (const record of inventory.files) {
      const found = examinations.get(record.filename) ?? 'missing';
      if (found === 'missing') {
        files.push(record);
      } else if (found.same) {
        const { altered: wasAltered, ...clean } = record;
        if (wasAltered !== undefined) restored.push(record.filename);
        const next: WheelRecord = { ...clean, mtimeMs: found.mtimeMs };
        changed ||= wasAltered !== undefined || record.mtimeMs !== found.mtimeMs;
        files.push(next);
      } else {
        altered.push({ file: record.filename, reason: found.reason });
        stillAltered[record.filename] = project;
        const note = { sha256: found.sha256, size: found.size, detectedAt: record.altered?.detectedAt ?? now().toISOString() };
        const same = record.altered !== undefined && record.altered.sha256 === note.sha256 && record.altered.size === note.size;
        changed ||= !same;
        files.push(same ? record : { ...record, altered: note });
      }
    }
    if (changed) writeProjectInventory(paths, { ...inventory, files });
  }
  return { altered, restored, stillAltered };
}

type Examination =
  | 'missing'
  | { readonly same: true; readonly mtimeMs: number }
  | { readonly same: false; readonly reason: string; readonly sha256: string | null; readonly size: number };

/** The fields of a wheel record this check reads. */
const { filename, sha256, size, mtimeMs, altered } = WheelRecord.shape;
/** Not strict: the other fields are the full validation's business. */
const CheckedRecord = z.object({ filename, sha256, size, mtimeMs, altered });
type CheckedRecord = z.infer<typeof CheckedRecord>;
const CheckedInventory = z.object({ files: z.array(CheckedRecord) });

/** A project's recorded files, checked fields only; `undefined` when it has none or its inventory is not valid (the regeneration reports that). */
function readRecordedFiles(paths: RepositoryPaths, project: string): CheckedRecord[] | undefined {
  const { bytes } = readProjectInventoryBytes(paths, project);
  if (bytes === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = CheckedInventory.safeParse(data);
  return parsed.success ? parsed.data.files : undefined;
}

async function examine(file: string, record: CheckedRecord): Promise<Examination> {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return 'missing';
  if (!stat.isFile()) {
    return { same: false, reason: 'replaced by a symbolic link or a non-regular file', sha256: null, size: 0 };
  }
  if (stat.size !== record.size) {
    return { same: false, reason: `size ${stat.size}, recorded ${record.size}`, sha256: null, size: stat.size };
  }
  if (record.mtimeMs === stat.mtimeMs && record.altered === undefined) return { same: true, mtimeMs: stat.mtimeMs };
  const digest = await hashFile(file);
  if (digest.sha256 === record.sha256) return { same: true, mtimeMs: stat.mtimeMs };
  return { same: false, reason: `sha256 ${digest.sha256}, recorded ${record.sha256}`, sha256: digest.sha256, size: digest.size };
}
