import fs from 'node:fs';
import path from 'node:path';
import { MissingFileError, WheelRejectedError } from '../errors.js';
import type { RejectedFile } from './adopt-dropped-wheels.js';
import type { BuildProvenance, MirrorProvenance } from './inventory-schema.js';
import { collectWheelLocked, prepareWheel, type CollectedWheel, type CollectOutcome, type PreparedWheel } from './collect-wheel.js';
import { withLock, type LockOptions } from './repository-lock.js';
import { repositoryPaths, type RepositoryPaths } from './repository-paths.js';
import { followOwnChange, readScanState, writeScanState } from './scan-state.js';
import { removeStaleTempFiles } from './stale-temp-files.js';

/** Where to collect into, and how to wait for the lock. */
export interface RepositoryTarget {
  /** Repository root (config `root`). */
  readonly root: string;
  /** Repository directory name, e.g. `glibc` (see `targetSettings(...).repository`). */
  readonly repository: string;
  /** How long to wait for another writer of this repository (default 10 minutes). */
  readonly lockTimeoutMs?: number;
  readonly onLockWait?: LockOptions['onWait'];
}

/** What collecting a batch of wheels did. */
export interface CollectedBatch {
  /** Every wheel that passed, with what happened to it (`added`, `replaced`, `unchanged`, `adopted`). */
  readonly collected: readonly CollectedWheel[];
  /** Every wheel that was refused, and why; none of them was written. */
  readonly rejected: readonly RejectedFile[];
}

/**
 * Collects wheels from anywhere into a repository (see `collectWheelLocked`
 * for the checks); the caller holds the repository lock. A refused wheel
 * doesn't stop the others: it is listed in `rejected`.
 */
export async function collectWheelsLocked(
  paths: RepositoryPaths,
  wheels: readonly string[],
  options: { readonly replace: boolean; readonly prepared?: PreparedWheels },
): Promise<CollectedBatch> {
  removeStaleTempFiles([paths.tmp]);
  const collected: CollectedWheel[] = [];
  const rejected: RejectedFile[] = [];
  const outcomes: CollectOutcome[] = [];
  for (const file of wheels) {
    try {
      const prepared = options.prepared?.get(file);
      if (prepared instanceof WheelRejectedError) throw prepared;
      const outcome = await collectWheelLocked(paths, file, { replace: options.replace, ...(prepared === undefined ? {} : { prepared }) });
      outcomes.push(outcome);
      collected.push(publicPart(outcome));
    } catch (error) {
      if (!(error instanceof WheelRejectedError)) throw error;
      rejected.push({ file, reason: error.reason });
    }
  }
  keepScanStateCurrent(paths, outcomes);
  return { collected, rejected };
}

/** Each wheel's checked copy, or why it was refused (`prepareWheels`). */
export type PreparedWheels = ReadonlyMap<string, PreparedWheel | WheelRejectedError>;

/**
 * Copies and checks `wheels` into `.farm/tmp/` without the lock
 * (`prepareWheel`). Call `discardPrepared` when done, whatever happened.
 */
export async function prepareWheels(paths: RepositoryPaths, wheels: readonly string[]): Promise<PreparedWheels> {
  const prepared = new Map<string, PreparedWheel | WheelRejectedError>();
  try {
    for (const file of wheels) {
      try {
        prepared.set(file, await prepareWheel(paths, file));
      } catch (error) {
        if (!(error instanceof WheelRejectedError)) throw error;
        prepared.set(file, error);
      }
    }
  } catch (error) {
    discardPrepared(prepared);
    throw error;
  }
  return prepared;
}

/** Removes the temp copies of prepared wheels that were not published. */
export function discardPrepared(prepared: PreparedWheels): void {
  for (const p of prepared.values()) if (!(p instanceof WheelRejectedError)) fs.rmSync(p.tmp, { force: true });
}

export interface CollectWheelOptions extends RepositoryTarget {
  readonly file: string;
  /** Name to publish under (default: the file's base name). */
  readonly filename?: string;
  readonly replace?: boolean;
  /** How farm built it (recorded in the inventory; see `CollectWheelOptions` of collect-wheel.ts). */
  readonly build?: BuildProvenance;
  /** Where farm mirrored it from (recorded in the inventory). */
  readonly mirror?: MirrorProvenance;
}

/**
 * Collects one wheel (a build's output) into a repository, taking the lock.
 * The index is not regenerated here; `thenLocked` runs after the collection
 * under the same hold of the lock (`src/publishing/publish-wheel.ts` indexes
 * the wheel there, so no reader sees it collected but not indexed).
 *
 * @throws WheelRejectedError when the wheel fails a check or its name is taken by different bytes.
 */
export async function collectWheel(options: CollectWheelOptions, thenLocked?: (paths: RepositoryPaths) => Promise<void>): Promise<CollectedWheel> {
  const paths = repositoryPaths(options.root, options.repository);
  // Copied and checked before the lock: other writers keep going meanwhile.
  const prepared = await prepareWheel(paths, options.file, options.filename);
  try {
    return await withLock(
      paths.lock,
      async () => {
        removeStaleTempFiles([paths.tmp]);
        const outcome = await collectWheelLocked(paths, options.file, {
          replace: options.replace === true,
          prepared,
          ...(options.filename === undefined ? {} : { filename: options.filename }),
          ...(options.build === undefined ? {} : { build: options.build }),
          ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
        });
        keepScanStateCurrent(paths, [outcome]);
        await thenLocked?.(paths);
        return publicPart(outcome);
      },
      lockOptions(options),
    );
  } finally {
    fs.rmSync(prepared.tmp, { force: true });
  }
}

export function lockOptions(target: RepositoryTarget): LockOptions {
  return {
    ...(target.lockTimeoutMs === undefined ? {} : { timeoutMs: target.lockTimeoutMs }),
    ...(target.onLockWait === undefined ? {} : { onWait: target.onLockWait }),
  };
}

function publicPart(outcome: CollectOutcome): CollectedWheel {
  const { packagesMtime: _ignored, ...wheel } = outcome;
  return wheel;
}

/**
 * farm's own renames into `packages/` move its mtime; if nothing else had
 * changed the directory since the last scan (the mtime before farm's rename
 * is the one recorded), record the new mtime so the next `farm index` needn't
 * list 100,000 wheels to find nothing new.
 */
function keepScanStateCurrent(paths: RepositoryPaths, outcomes: readonly CollectOutcome[]): void {
  const state = readScanState(paths);
  let tracked = state.packagesMtimeNs;
  for (const { packagesMtime } of outcomes) tracked = followOwnChange(tracked, packagesMtime);
  if (tracked !== state.packagesMtimeNs) writeScanState(paths, { ...state, packagesMtimeNs: tracked });
}

/** Files as given; directories expanded to the `*.whl` files below them (hidden ones skipped). */
export function expandWheelPaths(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw new MissingFileError(input);
    }
    if (!stat.isDirectory()) {
      files.push(input);
      continue;
    }
    const found = (fs.readdirSync(input, { recursive: true }) as string[])
      .filter((rel) => rel.endsWith('.whl') && !rel.split(path.sep).some((part) => part.startsWith('.')))
      .sort()
      .map((rel) => path.join(input, rel));
    files.push(...found.filter((f) => fs.statSync(f).isFile()));
  }
  return files;
}
