import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConfigError } from '../errors.js';
import { scanPackagesLocked, type RejectedFile } from '../repository/adopt-dropped-wheels.js';
import type { AlteredFile } from '../repository/verify-published.js';
import type { CollectedWheel } from '../repository/collect-wheel.js';
import {
  clearDirty,
  listDirty,
  listInventoryProjects,
  parseProjectInventory,
  readProjectInventoryBytes,
} from '../repository/inventory-store.js';
import { withLock, type LockOptions } from '../repository/repository-lock.js';
import { repositoryPaths, type RepositoryPaths } from '../repository/repository-paths.js';
import { removeStaleTempFiles } from '../repository/stale-temp-files.js';
import { BackgroundPublisher } from './background-publisher.js';
import { appendSummaryChanges, readSummary, SummaryTable, writeSummary, type PublishedProject } from './index-summary.js';
import {
  ensurePypiLink,
  projectPagesIntact,
  publishProject,
  publishSimpleRoot,
  replaceProjectPages,
  unpublishProject,
} from './publish-pages.js';
import { publishBrowserRoot, publishWheelPages, removeStaleBrowserPages, type PendingWheelPage } from './publish-browser.js';
import { pagesInputDigest, rendererFingerprint } from './renderer-fingerprint.js';

export interface RegenerateIndexOptions {
  /** Repository root (config `root`). */
  readonly root: string;
  /** Repository directory name, e.g. `glibc`. */
  readonly repository: string;
  /**
   * Rebuild every page from the inventory and rescan `packages/`, instead of
   * only the projects that changed since the last run.
   */
  readonly full?: boolean;
  /** How long to wait for another writer of this repository (default 10 minutes). */
  readonly lockTimeoutMs?: number;
  /** Called when another writer holds the lock, e.g. to print that farm is waiting. */
  readonly onLockWait?: LockOptions['onWait'];
  /**
   * Publish the repository browser's pages too (default true). `false`
   * publishes the simple API (and legacy JSON) only: `bench/index.ts`
   * measures what the browser adds this way. Switching it re-renders
   * everything once.
   */
  readonly browser?: boolean;
}

/** An inventory file that could not be read; its project keeps its previous pages. */
export interface InventoryProblem {
  readonly file: string;
  readonly message: string;
}

/** What a regeneration did. */
export interface RegenerateResult {
  readonly repository: string;
  /** `full` when asked for, or when there was no usable summary of the last run. */
  readonly mode: 'full' | 'incremental';
  /** Projects in the index afterwards. */
  readonly projects: number;
  /** Projects whose pages were rendered (the others were known to be up to date). */
  readonly projectsRendered: number;
  /**
   * Projects whose pages were published: every rendered one, except that
   * after a lost summary a page identical to the one on disk is left alone.
   */
  readonly projectsWritten: number;
  /** Projects whose pages were removed (no wheels left). */
  readonly projectsRemoved: number;
  readonly rootWritten: boolean;
  /** Whether `packages/` was listed (it is skipped when unchanged since the last scan). */
  readonly scanned: boolean;
  /** Wheels found in `packages/` without a record, checked and added to the index. */
  readonly adopted: readonly CollectedWheel[];
  /** Wheels in `packages/` that failed the checks: reported, left in place, not in the index. */
  readonly rejected: readonly RejectedFile[];
  /** Records dropped because their wheel was deleted from `packages/` by hand. */
  readonly forgotten: readonly string[];
  /** Published wheels whose bytes are not the recorded ones: kept out of the index until restored or replaced. */
  readonly altered: readonly AlteredFile[];
  readonly problems: readonly InventoryProblem[];
  readonly durationMs: number;
}

/**
 * `farm index`: brings a repository's published index up to date with its
 * inventory, taking over wheels copied straight into `packages/` first.
 *
 * Incremental (the default) re-renders only the projects marked dirty by the
 * writers since the last run, plus the root pages when the project list or a
 * latest version changed. `full` reads every project's inventory and
 * republishes every project whose pages are missing, damaged (size differs)
 * or stale (its input digest, renderers + inventory bytes, changed; since
 * pages are a pure function of that input, the others would come out
 * byte-identical), re-renders the root pages, and removes pages of projects
 * that no longer exist. Without a usable summary of the last run (first run,
 * or a farm with different renderers) an incremental run is a full one.
 *
 * Every page is replaced atomically, and the run holds the repository's
 * writer lock, so two regenerations (or a regeneration and `farm add`) never
 * interleave, even from different processes.
 *
 * @throws UsageError for an invalid repository name.
 * @throws HostError when the lock can't be had within `lockTimeoutMs`.
 */
export async function regenerateIndex(options: RegenerateIndexOptions): Promise<RegenerateResult> {
  const paths = repositoryPaths(options.root, options.repository);
  const lockOptions: LockOptions = {
    ...(options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs }),
    ...(options.onLockWait === undefined ? {} : { onWait: options.onLockWait }),
  };
  return withLock(paths.lock, () => regenerateIndexLocked(paths, options.full === true, options.browser !== false), lockOptions);
}

/** Yield to the event loop every this many projects, so a server in the same process stays responsive. */
const YIELD_EVERY = 64;
/** New project directories from which a full run hands their creation to a worker thread (its start-up costs tens of ms). */
const BACKGROUND_FROM = 500;

/** The regeneration itself; the caller holds the repository lock. */
export async function regenerateIndexLocked(paths: RepositoryPaths, full: boolean, browser = true): Promise<RegenerateResult> {
  const started = performance.now();
  // Temp files of a writer killed mid-write; a full run also looks where a scan would.
  removeStaleTempFiles(full ? [paths.tmp, paths.state, paths.inventory, paths.dirty, paths.dir, paths.packages] : [paths.tmp]);
  const scan = await scanPackagesLocked(paths, full);
  const dirty = listDirty(paths);
  const renderer = browser ? rendererFingerprint() : `${rendererFingerprint()}:simple-only`;
  const stored = readSummary(paths);
  const summary = stored?.renderer === renderer ? stored : undefined;
  const mode = full || summary === undefined ? 'full' : 'incremental';
  // What was published; in an incremental run also what will be (updated in place).
  const previous = summary?.table ?? SummaryTable.empty();
  const next = mode === 'full' ? SummaryTable.empty() : previous;

  ensurePypiLink(paths);
  // One readdir instead of a failed open per new project directory.
  const existingDirs = mode === 'full' ? new Set(listPublishedProjects(paths)) : undefined;
  const dirExists = (project: string): boolean =>
    existingDirs?.has(project) ?? fs.existsSync(path.join(paths.simple, project));

  const projects = mode === 'full' ? listInventoryProjects(paths) : dirty;
  // Creating many new directories (a first publication) costs more in
  // syscalls than reading and rendering: a worker does it meanwhile.
  const newDirs = existingDirs === undefined ? 0 : projects.filter((p) => !existingDirs.has(p)).length;
  const background = newDirs >= BACKGROUND_FROM ? new BackgroundPublisher(replaceProjectPages) : undefined;

  const problems: InventoryProblem[] = [];
  /** Wheels of re-rendered projects that are in `packages/`: their pages follow. */
  const wheelPages: PendingWheelPage[] = [];
  // A full run lists packages/ once instead of a stat per wheel.
  const packaged = browser && mode === 'full' && projects.length > 0 ? new Set(listNames(paths.packages)) : undefined;
  const hasWheelFile = (filename: string): boolean => packaged?.has(filename) ?? fs.existsSync(path.join(paths.packages, filename));
  /** Projects whose inventory can't be read: their pages stay as they are. */
  const unreadable = new Set<string>();
  const upserts: PublishedProject[] = [];
  const removals: string[] = [];
  let rendered = 0;
  let removed = 0;
  let namesChanged = false;
  let factsChanged = false;

  const remove = (project: string): void => {
    const existed = previous.find(project) !== undefined;
    if (existed || mode === 'full') unpublishProject(paths, project);
    if (existed) {
      removals.push(project);
      removed += 1;
      namesChanged = true;
      factsChanged = true;
    }
    next.remove(project);
  };

  const refresh = (project: string): void => {
    // A crash while this project's pages were written left its temp files
    // here (a full run knows which directories exist: no failed readdir each).
    if (existingDirs === undefined || existingDirs.has(project)) removeStaleTempFiles([path.join(paths.simple, project)]);
    const { file, bytes } = readProjectInventoryBytes(paths, project);
    if (bytes === undefined) return remove(project);
    const before = previous.find(project);
    const digest = pagesInputDigest(bytes);
    // Same renderers, same inventory bytes: the pages would come out identical.
    if (before?.digest === digest && (mode === 'incremental' || projectPagesIntact(paths, before, browser))) {
      next.upsert(before);
      return;
    }
    let inventory;
    try {
      inventory = parseProjectInventory(bytes, file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push({ file: error.source, message: error.message });
      unreadable.add(project);
      if (before !== undefined) next.upsert(before);
      return;
    }
    // A file whose bytes are not the recorded ones is not offered to pip.
    const served = { ...inventory, files: inventory.files.filter((f) => f.altered === undefined) };
    if (served.files.length === 0) return remove(project);
    const state = !dirExists(project) ? 'missing' : before === undefined ? 'unknown' : 'known';
    const after = publishProject(paths, served, digest, state, background, browser);
    for (const file of browser ? served.files : []) {
      if (hasWheelFile(file.filename)) wheelPages.push({ project: served.project, name: served.name, file });
    }
    rendered += 1;
    next.upsert(after);
    upserts.push(after);
    if (before === undefined || before.name !== after.name) namesChanged = true;
    if (namesChanged || before!.latestVersion !== after.latestVersion || before!.files !== after.files) factsChanged = true;
  };

  try {
    for (let i = 0; i < projects.length; i++) {
      refresh(projects[i]!);
      background?.throwIfFailed();
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    }
    // Before removing staging leftovers, and before the summary records the pages as published.
    await background?.drain();
  } finally {
    await background?.close();
  }
  if (mode === 'full') {
    const live = new Set([...next.projects, ...unreadable]);
    removed += removeStalePages(paths, existingDirs!, live, new Set(previous.projects));
    if (browser) removeStaleBrowserPages(paths, live);
  }
  problems.push(...(await publishWheelPages(paths, wheelPages)));

  let rootSimple = summary?.rootSimple ?? null;
  let rootHuman = summary?.rootHuman ?? null;
  let rootWritten = false;
  // A full run renders the root pages (and writes them only if they differ);
  // an incremental one only when a name, a latest version or a count moved.
  const anyRoot = mode === 'full' || namesChanged || factsChanged || rootSimple === null || rootHuman === null;
  const entries = anyRoot ? next.entries() : [];
  if (mode === 'full' || namesChanged || rootSimple === null) {
    const published = publishSimpleRoot(paths, entries, rootSimple);
    rootSimple = published.digest;
    rootWritten ||= published.written;
  }
  if (browser && (mode === 'full' || factsChanged || rootHuman === null)) {
    const published = publishBrowserRoot(paths, entries, rootHuman, mode === 'full');
    rootHuman = published.digest;
    rootWritten ||= published.written;
  }
  // An incremental run appends its changes; the log is folded into the base
  // file once it holds more than a tenth of the projects.
  const changes = upserts.length + removals.length;
  if (mode === 'full' || (summary?.logLines ?? 0) + changes > Math.max(1000, next.size / 10)) {
    writeSummary(paths, next, { renderer, rootSimple, rootHuman });
  } else if (changes > 0 || rootSimple !== summary?.rootSimple || rootHuman !== summary?.rootHuman) {
    appendSummaryChanges(paths, { upserts, removals, rootSimple, rootHuman });
  }
  clearDirty(paths, dirty);

  return {
    repository: paths.name,
    mode,
    projects: next.size,
    projectsRendered: rendered,
    projectsWritten: rendered,
    projectsRemoved: removed,
    rootWritten,
    scanned: scan.scanned,
    adopted: scan.adopted,
    rejected: scan.rejected,
    forgotten: scan.forgotten,
    altered: scan.altered,
    problems,
    durationMs: performance.now() - started,
  };
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Project directories under `simple/` (hidden staging leftovers excluded). */
function listPublishedProjects(paths: RepositoryPaths): string[] {
  try {
    return fs
      .readdirSync(paths.simple, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Full regeneration: pages of projects with no inventory (deleted by hand, or
 * left by a crash) go, and so do staging directories a crash left behind.
 */
function removeStalePages(
  paths: RepositoryPaths,
  published: ReadonlySet<string>,
  live: ReadonlySet<string>,
  previous: ReadonlySet<string>,
): number {
  let removed = 0;
  for (const name of published) {
    if (live.has(name)) continue;
    fs.rmSync(path.join(paths.simple, name), { recursive: true, force: true });
    if (previous.has(name)) removed += 1;
  }
  try {
    for (const name of fs.readdirSync(paths.simple)) {
      if (name.startsWith('.') && (name.endsWith('.new') || name.endsWith('.tmp'))) {
        fs.rmSync(path.join(paths.simple, name), { recursive: true, force: true });
      }
    }
  } catch {
    // No simple/ yet.
  }
  return removed;
}
