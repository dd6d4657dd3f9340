import fs from 'node:fs';
import path from 'node:path';
import { MissingFileError, WheelConflictError, WheelRejectedError } from '../errors.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { isWheelFilename, parseWheelFilename, type WheelFilename } from '../wheels/wheel-filename.js';
import { sameVersion } from '../wheels/version-equality.js';
import { canonicalWheelFilename, sameWheelIdentity } from '../wheels/wheel-identity.js';
import { tempNameFor, writeFileAtomicSync } from '../files/atomic-file.js';
import { fsyncPathSync } from '../files/fsync.js';
import { checkWheelName } from './check-wheel-name.js';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import { copyAndHash, hashFile, sha256Of, type FileDigest } from '../files/hash-file.js';
import { validate } from '../validation/validate.js';
import { BuildProvenance, MirrorProvenance, type ProjectInventory, type WheelRecord } from './inventory-schema.js';
import { readProjectInventory, writeProjectInventory } from './inventory-store.js';
import { readWheelMetadata, type WheelArchiveMetadata } from './read-wheel-metadata.js';
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
  /** Where farm mirrored this wheel from, recorded with a new record. */
  readonly mirror?: MirrorProvenance;
  /**
   * The checked copy made by `prepareWheel` before the lock was taken, so
   * the lock is held only to compare with the inventory and rename. Its temp
   * file is consumed (renamed or removed).
   */
  readonly prepared?: PreparedWheel;
}

/** A wheel copied into `.farm/tmp/`, hashed and checked, waiting for the lock. */
export interface PreparedWheel {
  readonly source: string;
  readonly tmp: string;
  readonly digest: FileDigest;
  readonly checked: CheckedArchive;
}

/** What the archive's checks found (`checkArchive`). */
interface CheckedArchive {
  readonly archive: WheelArchiveMetadata;
  readonly core: CoreMetadata;
}

/**
 * The expensive part of collecting, done without the repository lock: copy
 * `source` into `.farm/tmp/` (hashing it), then check the copy's name, zip
 * and metadata. Another writer can publish meanwhile; what is compared with
 * the inventory is decided under the lock by `collectWheelLocked`.
 *
 * @throws WheelRejectedError or MissingFileError like `collectWheelLocked`;
 *   no temp file is left then.
 */
export async function prepareWheel(paths: RepositoryPaths, source: string, filename: string = path.basename(source)): Promise<PreparedWheel> {
  const given = checkWheelName(filename);
  statRegularFile(source, filename, false);
  fs.mkdirSync(paths.tmp, { recursive: true });
  const tmp = tempNameFor(path.join(paths.tmp, filename));
  try {
    const digest = await copyAndHash(source, tmp);
    return { source, tmp, digest, checked: await checkArchive(tmp, given, filename) };
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * What collecting did: `added` a new file, `replaced` different bytes under an
 * existing name (only with `replace`), `unchanged` (the same bytes were already
 * there: a no-op), `adopted` a wheel that was already in `packages/` but
 * not yet recorded, or `restored` the recorded bytes of a file that had been
 * overwritten by hand.
 */
export type CollectStatus = 'added' | 'replaced' | 'unchanged' | 'adopted' | 'restored';

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
 * - Checked: a valid, safe wheel filename; a readable zip; a `.dist-info`
 *   directory and its METADATA naming the same project (normalised) and
 *   version (PEP 440) as the filename. The checks run on farm's own copy, so
 *   the bytes checked are the bytes published.
 * - Canonical: published under the canonical spelling of its name
 *   (`canonicalWheelFilename`), with the version spelling the project already
 *   uses for an equal version, so one release has one spelling.
 * - Atomic: the copy is written to `.farm/tmp/`, fsynced and renamed into
 *   `packages/`; `<wheel>.metadata` is published the same way, first.
 * - Immutable: a file with the same identity (`sameWheelIdentity`: project,
 *   PEP 440 version, build tag, an overlapping tag) and a different sha256 is
 *   refused, whatever its spelling, unless `replace`; the same bytes again are
 *   a no-op.
 * - Recorded: sha256, size, upload time, Requires-Python, Requires-Dist,
 *   Summary and the METADATA digest go into the project's inventory file.
 *
 * With `source` already at `packages/<filename>` (a wheel dropped in by hand),
 * nothing is copied: the file is checked and recorded in place ("adopted"),
 * renamed to its canonical name; a symlink there is refused, never followed.
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
  const given = checkWheelName(filename);
  // Checked before anything is written: a bad record would make the inventory unreadable.
  const build = options.build === undefined ? undefined : validate(BuildProvenance, options.build, `build provenance of ${filename}`);
  // A wheel already in packages/ (dropped in by hand) is checked in place and
  // never followed through a symlink: a link could publish any file on the host.
  const inPlace = path.resolve(source) === path.join(paths.packages, filename);
  const sourceStat = statRegularFile(source, filename, inPlace);

  const inventory = readProjectInventory(paths, given.name);
  const records = inventory?.files ?? [];
  // One spelling per release: an equal version already recorded keeps its spelling.
  const version = records.find((r) => sameVersion(r.version, given.version))?.version ?? given.normalizedVersion;
  const twins = records.filter((r) => {
    const parsed = parseIfWheel(r.filename);
    return parsed !== undefined && sameWheelIdentity(parsed, given);
  });

  fs.mkdirSync(paths.packages, { recursive: true });
  fs.mkdirSync(paths.tmp, { recursive: true });
  let tmp: string | undefined = options.prepared?.tmp;
  try {
    let digest: FileDigest;
    if (options.prepared !== undefined) {
      digest = options.prepared.digest;
    } else if (inPlace) {
      digest = await hashFile(source);
    } else {
      tmp = tempNameFor(path.join(paths.tmp, filename));
      digest = await copyAndHash(source, tmp);
    }
    const identical = twins.find((r) => r.sha256 === digest.sha256);
    const conflicts = twins.filter((r) => r.sha256 !== digest.sha256);
    const conflict = (existing: string, existingSha: string): never => {
      throw new WheelConflictError(filename, paths.name, existing, existingSha, digest.sha256, {
        hint: 'pass --replace to overwrite it deliberately',
      });
    };
    if (conflicts.length > 0 && options.replace !== true) conflict(conflicts[0]!.filename, conflicts[0]!.sha256);
    if (identical !== undefined && inPlace && identical.filename !== filename) {
      throw new WheelRejectedError(filename, `the same bytes are already published as ${identical.filename}; this copy is not indexed`);
    }
    const publishAs = identical?.filename ?? canonicalWheelFilename(given, version);
    const dest = path.join(paths.packages, publishAs);
    // Recorded bytes whose file was overwritten by hand (`altered`): publish them again.
    const sameAsRecorded = identical !== undefined && identical.altered === undefined && fs.existsSync(dest);
    // The same bytes, recorded, with their .metadata: nothing to do. (Without
    // the .metadata, fall through and publish it again, keeping the record.)
    if (sameAsRecorded && conflicts.length === 0 && fs.existsSync(`${dest}.metadata`)) {
      refreshProvenance(paths, inventory, identical, build);
      return { ...summary('unchanged', given.name, identical.version, publishAs, digest), packagesMtime: null };
    }
    let replacing = conflicts.length > 0;
    const destStat = lstatIfExists(dest);
    const unrecordedAtDest =
      destStat !== undefined && !(inPlace && publishAs === filename) && !records.some((r) => r.filename === publishAs);
    if (unrecordedAtDest) {
      // Dropped in by hand and not adopted yet: only identical bytes may take its place.
      const existing = destStat.isFile() ? (await hashFile(dest)).sha256 : 'of a non-regular file';
      if (existing !== digest.sha256) {
        if (options.replace !== true) conflict(publishAs, existing);
        replacing = true;
      }
    }

    const { archive, core } = options.prepared?.checked ?? (await checkArchive(tmp ?? source, given, filename));
    if (inPlace) {
      const after = fs.lstatSync(source);
      if (after.size !== sourceStat.size || after.mtimeMs !== sourceStat.mtimeMs || after.size !== digest.size) {
        throw new WheelRejectedError(filename, 'the file changed while it was being checked (still being copied?)');
      }
    }

    const before = packagesMtimeNs(paths);
    writeFileAtomicSync(`${dest}.metadata`, archive.metadata, { durable: true });
    if (tmp !== undefined) {
      renameInto(tmp, dest);
      tmp = undefined;
    } else if (inPlace && publishAs !== filename) {
      fs.renameSync(source, dest);
    }
    for (const old of conflicts) {
      if (old.filename === publishAs) continue;
      fs.rmSync(path.join(paths.packages, old.filename), { force: true });
      fs.rmSync(path.join(paths.packages, `${old.filename}.metadata`), { force: true });
    }
    fsyncPathSync(paths.packages);
    const after = packagesMtimeNs(paths);

    if (sameAsRecorded && conflicts.length === 0) {
      refreshProvenance(paths, inventory, identical, build);
      return { ...summary('unchanged', given.name, identical.version, publishAs, digest), packagesMtime: { before, after } };
    }

    const previous = records.find((r) => r.filename === publishAs) ?? conflicts[0];
    if (identical?.altered !== undefined) {
      // The recorded bytes are back: the record stands as it was, the note goes.
      const { altered: _note, ...restored } = identical;
      writeProjectInventory(paths, {
        ...inventory!,
        files: records.map((r) => (r === identical ? { ...restored, mtimeMs: fs.lstatSync(dest).mtimeMs } : r)),
      });
      return { ...summary('restored', given.name, identical.version, publishAs, digest), packagesMtime: { before, after } };
    }
    const adopted = inPlace || (unrecordedAtDest && !replacing);
    const published = fs.lstatSync(dest);
    const newRecord: WheelRecord = {
      filename: publishAs,
      version,
      sha256: digest.sha256,
      size: digest.size,
      uploadTime: (inPlace ? sourceStat.mtime : (options.now ?? new Date())).toISOString(),
      mtimeMs: published.mtimeMs,
      requiresPython: core.requiresPython,
      requiresDist: [...core.requiresDist],
      summary: core.summary,
      metadataSha256: sha256Of(archive.metadata),
      metadataSize: archive.metadata.length,
      yanked: previous?.yanked ?? false,
      yankedReason: previous?.yankedReason ?? '',
      origin: adopted ? 'adopted' : 'collected',
      ...(build === undefined ? {} : { build }),
      ...(options.mirror === undefined ? {} : { mirror: validate(MirrorProvenance, options.mirror, `mirror provenance of ${filename}`) }),
    };
    const dropped = new Set([publishAs, ...conflicts.map((c) => c.filename)]);
    writeProjectInventory(paths, {
      format: 1,
      project: given.name,
      name: core.name,
      files: [...records.filter((f) => !dropped.has(f.filename)), newRecord],
    });
    const status: CollectStatus = replacing ? 'replaced' : adopted ? 'adopted' : 'added';
    return { ...summary(status, given.name, newRecord.version, publishAs, digest), packagesMtime: { before, after } };
  } finally {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

/** Reads the archive's METADATA and checks it (and its `.dist-info`) against the filename. */
async function checkArchive(file: string, given: WheelFilename, filename: string): Promise<CheckedArchive> {
  const archive = await readWheelMetadata(file, filename);
  checkDistInfo(archive.distInfo, given, filename);
  const core = parseCoreMetadata(archive.metadata.toString('utf8'));
  if (core === null) throw new WheelRejectedError(filename, `${archive.distInfo}/METADATA has no Name or Version`);
  if (normalizeName(core.name) !== given.name) {
    throw new WheelRejectedError(filename, `METADATA names project '${core.name}' but the filename says '${given.distribution}'`);
  }
  if (!sameVersion(core.version, given.version)) {
    throw new WheelRejectedError(filename, `METADATA says version '${core.version}' but the filename says '${given.version}'`);
  }
  return { archive, core };
}

/**
 * The archive's `<name>-<version>.dist-info` must be this wheel's: pip refuses
 * a wheel whose metadata directory names another project or version.
 */
function checkDistInfo(distInfo: string, wheel: WheelFilename, filename: string): void {
  const stem = distInfo.endsWith('.dist-info') ? distInfo.slice(0, -'.dist-info'.length) : distInfo;
  // The name may contain `-` in old wheels, the version never in normalised form: try every split.
  for (let at = stem.indexOf('-'); at > 0; at = stem.indexOf('-', at + 1)) {
    if (normalizeName(stem.slice(0, at)) === wheel.name && sameVersion(stem.slice(at + 1), wheel.version)) return;
  }
  throw new WheelRejectedError(
    filename,
    `its metadata directory ${distInfo} does not belong to ${wheel.distribution} ${wheel.version} ` +
      `(expected ${wheel.name.replace(/-/g, '_')}-${wheel.version}.dist-info); pip would refuse it`,
  );
}

function parseIfWheel(filename: string): WheelFilename | undefined {
  return isWheelFilename(filename) ? parseWheelFilename(filename) : undefined;
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

function statRegularFile(file: string, filename: string, noFollow: boolean): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = noFollow ? fs.lstatSync(file) : fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError(file);
    throw error;
  }
  if (stat.isSymbolicLink()) throw new WheelRejectedError(filename, 'a symbolic link: farm publishes only regular files in packages/');
  if (!stat.isFile()) throw new WheelRejectedError(filename, 'not a regular file');
  return stat;
}

function lstatIfExists(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
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
