import fs from 'node:fs';
import path from 'node:path';
import { MissingFileError, WheelConflictError, WheelRejectedError } from '../errors.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { sameVersion } from '../wheels/version-equality.js';
import { tempNameFor, writeFileAtomicSync } from '../files/atomic-file.js';
import { fsyncPathSync } from '../files/fsync.js';
import { checkWheelName } from './check-wheel-name.js';
import { parseCoreMetadata } from './core-metadata.js';
import { copyAndHash, hashFile, sha256Of, type FileDigest } from '../files/hash-file.js';
import { validate } from '../validation/validate.js';
import { BuildProvenance, type ProjectInventory, type WheelRecord } from './inventory-schema.js';
import { readProjectInventory, writeProjectInventory } from './inventory-store.js';
import { readWheelMetadata } from './read-wheel-metadata.js';
import type { RepositoryPaths } from './repository-paths.js';
import { packagesMtimeNs } from './scan-state.js';

export interface CollectWheelOptions {
  /** Name to publish under; defaults to the source's base name. */
  readonly filename?: string;
  /** Overwrite a wheel of the same name with different bytes (default: refuse). */
  readonly replace?: boolean;
  /** Upload time to record (default: now; adopted files record their mtime). */
  readonly now?: Date;
  /**
   * How farm built this wheel (recipe hash, image), recorded with it. The same
   * bytes collected again with another provenance update the record: the
   * bytes are unchanged, they are now known to come from this recipe too.
   */
  readonly build?: BuildProvenance;
}

/**
 * What collecting did: `added` a new file, `replaced` different bytes under an
 * existing name (only with `replace`), `unchanged` (the same bytes were already
 * there: a no-op), or `adopted` a wheel that was already in `packages/` but
 * not yet recorded.
 */
export type CollectStatus = 'added' | 'replaced' | 'unchanged' | 'adopted';

/** One collected wheel. */
export interface CollectedWheel {
  readonly status: CollectStatus;
  readonly filename: string;
  /** Normalised project name. */
  readonly project: string;
  readonly version: string;
  readonly sha256: string;
  readonly size: number;
}

/** A collection plus the `packages/` mtime just before and after farm's own renames. */
export interface CollectOutcome extends CollectedWheel {
  readonly packagesMtime: { readonly before: string | null; readonly after: string | null } | null;
}

/**
 * Collects one wheel into a repository. The caller holds the repository lock.
 *
 * - Checked: a valid, safe wheel filename; a readable zip; a `.dist-info/METADATA`
 *   naming the same project (normalised) and version (PEP 440) as the filename.
 *   The checks run on farm's own copy, so the bytes checked are the bytes published.
 * - Atomic: the copy is written to `.farm/tmp/`, fsynced and renamed into
 *   `packages/`; `<wheel>.metadata` is published the same way, first.
 * - Immutable: the same name with a different sha256 is refused unless
 *   `replace`; the same bytes again are a no-op.
 * - Recorded: sha256, size, upload time, Requires-Python, Requires-Dist,
 *   Summary and the METADATA digest go into the project's inventory file.
 *
 * With `source` already at `packages/<filename>` (a wheel dropped in by hand),
 * nothing is copied: the file is checked and recorded in place ("adopted").
 *
 * @throws WheelRejectedError when a check fails or the name is taken by
 *   different bytes; nothing has been written then.
 * @throws MissingFileError when `source` doesn't exist.
 */
export async function collectWheelLocked(
  paths: RepositoryPaths,
  source: string,
  options: CollectWheelOptions = {},
): Promise<CollectOutcome> {
  const filename = options.filename ?? path.basename(source);
  const wheel = checkWheelName(filename);
  // Checked before anything is written: a bad record would make the inventory unreadable.
  const build = options.build === undefined ? undefined : validate(BuildProvenance, options.build, `build provenance of ${filename}`);
  const dest = path.join(paths.packages, filename);
  const sourceStat = statRegularFile(source, filename);
  const destStat = statIfExists(dest);
  const inPlace = destStat !== undefined && destStat.ino === sourceStat.ino && destStat.dev === sourceStat.dev;

  fs.mkdirSync(paths.packages, { recursive: true });
  fs.mkdirSync(paths.tmp, { recursive: true });
  let tmp: string | undefined;
  try {
    let digest: FileDigest;
    if (inPlace) {
      digest = await hashFile(dest);
    } else {
      tmp = tempNameFor(path.join(paths.tmp, filename));
      digest = await copyAndHash(source, tmp);
    }

    const inventory = readProjectInventory(paths, wheel.name);
    const record = inventory?.files.find((f) => f.filename === filename);
    const conflict = (existingSha: string): never => {
      throw new WheelConflictError(filename, paths.name, existingSha, digest.sha256, {
        hint: 'pass --replace to overwrite it deliberately',
      });
    };
    let replacing = false;
    // The same bytes, recorded, with their .metadata: nothing to do. (Without
    // the .metadata, fall through and publish it again, keeping the record.)
    const sameAsRecorded = record !== undefined && destStat !== undefined && record.sha256 === digest.sha256;
    if (sameAsRecorded && fs.existsSync(`${dest}.metadata`)) {
      refreshProvenance(paths, inventory, record, build);
      return { ...summary('unchanged', wheel.name, record.version, filename, digest), packagesMtime: null };
    }
    if (record !== undefined && destStat !== undefined && !sameAsRecorded) {
      if (options.replace !== true) conflict(record.sha256);
      replacing = true;
    } else if (destStat !== undefined && !inPlace) {
      // Dropped in by hand and not adopted yet: only identical bytes may take its place.
      const existing = await hashFile(dest);
      if (existing.sha256 !== digest.sha256) {
        if (options.replace !== true) conflict(existing.sha256);
        replacing = true;
      }
    }

    const archive = await readWheelMetadata(tmp ?? dest, filename);
    const core = parseCoreMetadata(archive.metadata.toString('utf8'));
    if (core === null) throw new WheelRejectedError(filename, `${archive.distInfo}/METADATA has no Name or Version`);
    if (normalizeName(core.name) !== wheel.name) {
      throw new WheelRejectedError(
        filename,
        `METADATA names project '${core.name}' but the filename says '${wheel.distribution}'`,
      );
    }
    if (!sameVersion(core.version, wheel.version)) {
      throw new WheelRejectedError(
        filename,
        `METADATA says version '${core.version}' but the filename says '${wheel.version}'`,
      );
    }
    if (inPlace) {
      const after = fs.statSync(dest);
      if (after.size !== sourceStat.size || after.mtimeMs !== sourceStat.mtimeMs || after.size !== digest.size) {
        throw new WheelRejectedError(filename, 'the file changed while it was being checked (still being copied?)');
      }
    }

    const before = packagesMtimeNs(paths);
    writeFileAtomicSync(`${dest}.metadata`, archive.metadata, { durable: true });
    if (tmp !== undefined) {
      renameInto(tmp, dest);
      tmp = undefined;
      fsyncPathSync(paths.packages);
    }
    const after = packagesMtimeNs(paths);

    if (sameAsRecorded) {
      refreshProvenance(paths, inventory, record, build);
      return { ...summary('unchanged', wheel.name, record.version, filename, digest), packagesMtime: { before, after } };
    }

    const now = options.now ?? new Date();
    const newRecord: WheelRecord = {
      filename,
      version: wheel.normalizedVersion,
      sha256: digest.sha256,
      size: digest.size,
      uploadTime: (inPlace ? sourceStat.mtime : now).toISOString(),
      requiresPython: core.requiresPython,
      requiresDist: [...core.requiresDist],
      summary: core.summary,
      metadataSha256: sha256Of(archive.metadata),
      metadataSize: archive.metadata.length,
      yanked: record?.yanked ?? false,
      yankedReason: record?.yankedReason ?? '',
      origin: inPlace || (destStat !== undefined && !replacing && record === undefined) ? 'adopted' : 'collected',
      ...(build === undefined ? {} : { build }),
    };
    writeProjectInventory(paths, {
      format: 1,
      project: wheel.name,
      name: core.name,
      files: [...(inventory?.files ?? []).filter((f) => f.filename !== filename), newRecord],
    });
    const status: CollectStatus = replacing ? 'replaced' : newRecord.origin === 'adopted' ? 'adopted' : 'added';
    return { ...summary(status, wheel.name, newRecord.version, filename, digest), packagesMtime: { before, after } };
  } finally {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

/** Records `build` on an already recorded wheel when it differs from what the record says. */
function refreshProvenance(
  paths: RepositoryPaths,
  inventory: ProjectInventory | undefined,
  record: WheelRecord,
  build: BuildProvenance | undefined,
): void {
  if (build === undefined || inventory === undefined) return;
  // Both validated by the same schema: equal provenance serialises identically.
  if (record.build !== undefined && JSON.stringify(record.build) === JSON.stringify(build)) return;
  writeProjectInventory(paths, {
    ...inventory,
    files: inventory.files.map((f) => (f.filename === record.filename ? { ...f, build: { ...build } } : f)),
  });
}

function summary(status: CollectStatus, project: string, version: string, filename: string, digest: FileDigest): CollectedWheel {
  return { status, filename, project, version, sha256: digest.sha256, size: digest.size };
}

function statRegularFile(file: string, filename: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError(file);
    throw error;
  }
  if (!stat.isFile()) throw new WheelRejectedError(filename, 'not a regular file');
  return stat;
}

function statIfExists(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `rename`, falling back to copy-then-rename inside `packages/` when `.farm/` is on another file system. */
function renameInto(tmp: string, dest: string): void {
  try {
    fs.renameSync(tmp, dest);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const near = tempNameFor(dest);
  try {
    fs.copyFileSync(tmp, near, fs.constants.COPYFILE_EXCL);
    fsyncPathSync(near);
    fs.renameSync(near, dest);
  } catch (error) {
    fs.rmSync(near, { force: true });
    throw error;
  }
  fs.rmSync(tmp, { force: true });
}
