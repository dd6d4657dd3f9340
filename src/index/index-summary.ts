import fs from 'node:fs';
import { readFileIfExistsSync, writeFileAtomicSync } from '../files/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import type { RootEntry } from './render-root.js';

/** A published project: its root-page facts and what was written for it. */
export interface PublishedProject extends RootEntry {
  /** Input digest of its pages (`pagesInputDigest`). */
  readonly digest: string;
  /** Bytes of `index.html`, `index.json`, `pypi/<project>/json` and the browser's project page. */
  readonly sizes: readonly [number, number, number, number];
}

/** Pages per project whose sizes the summary keeps (see `PublishedProject.sizes`). */
const PAGES = 4;

/** Column arrays, all of one length, sorted by `project`. */
interface Columns {
  project: string[];
  name: string[];
  latest: (string | null)[];
  files: number[];
  digest: string[];
  /** `PAGES` sizes per project, flattened. */
  sizes: number[];
}

/** The summary file, as stored. */
interface SummaryFile extends Columns {
  format: 3;
  renderer: string;
  rootSimple: string | null;
  rootHuman: string | null;
}

/**
 * `.farm/index-summary.json`: what the last regeneration published, one entry
 * per project, sorted. An incremental run rebuilds the root pages from it
 * without opening 20,000 inventory files, and any run skips a project whose
 * input digest is unchanged.
 *
 * Stored as columns (one array per field), not one object per project: that
 * is several times faster to parse and serialise, and an incremental run does
 * both within its 50 ms budget.
 */
export class SummaryTable {
  private constructor(private readonly c: Columns) {}

  static empty(): SummaryTable {
    return new SummaryTable({ project: [], name: [], latest: [], files: [], digest: [], sizes: [] });
  }

  get size(): number {
    return this.c.project.length;
  }

  /** Every project name, sorted. */
  get projects(): readonly string[] {
    return this.c.project;
  }

  find(project: string): PublishedProject | undefined {
    const i = this.search(project);
    return i < 0 ? undefined : this.at(i);
  }

  /** Adds or replaces `p`, keeping the order. Appending in order (a full run) is O(1). */
  upsert(p: PublishedProject): void {
    const i = this.search(p.project);
    const c = this.c;
    if (i >= 0) {
      c.name[i] = p.name;
      c.latest[i] = p.latestVersion;
      c.files[i] = p.files;
      c.digest[i] = p.digest;
      c.sizes.splice(i * PAGES, PAGES, ...p.sizes);
      return;
    }
    const at = -i - 1;
    c.project.splice(at, 0, p.project);
    c.name.splice(at, 0, p.name);
    c.latest.splice(at, 0, p.latestVersion);
    c.files.splice(at, 0, p.files);
    c.digest.splice(at, 0, p.digest);
    c.sizes.splice(at * PAGES, 0, ...p.sizes);
  }

  remove(project: string): boolean {
    const i = this.search(project);
    if (i < 0) return false;
    const c = this.c;
    for (const column of [c.project, c.name, c.latest, c.files, c.digest] as unknown[][]) column.splice(i, 1);
    c.sizes.splice(i * PAGES, PAGES);
    return true;
  }

  /** Root-page facts of every project, in order. */
  entries(): RootEntry[] {
    const c = this.c;
    const out: RootEntry[] = new Array<RootEntry>(c.project.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = { project: c.project[i]!, name: c.name[i]!, latestVersion: c.latest[i]!, files: c.files[i]! };
    }
    return out;
  }

  toFile(meta: { renderer: string; rootSimple: string | null; rootHuman: string | null }): string {
    const file: SummaryFile = { format: 3, ...meta, ...this.c };
    return JSON.stringify(file);
  }

  /** Parses a stored summary; `undefined` when it is not one (malformed, hand-edited, older format). */
  static parse(text: string): { table: SummaryTable; renderer: string; rootSimple: string | null; rootHuman: string | null } | undefined {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isSummaryFile(data)) return undefined;
    const { format: _format, renderer, rootSimple, rootHuman, ...columns } = data;
    return { table: new SummaryTable(columns), renderer, rootSimple, rootHuman };
  }

  private at(i: number): PublishedProject {
    const c = this.c;
    return {
      project: c.project[i]!,
      name: c.name[i]!,
      latestVersion: c.latest[i]!,
      files: c.files[i]!,
      digest: c.digest[i]!,
      sizes: [c.sizes[i * PAGES]!, c.sizes[i * PAGES + 1]!, c.sizes[i * PAGES + 2]!, c.sizes[i * PAGES + 3]!],
    };
  }

  /** Index of `project`, or `-(insertion point) - 1`. */
  private search(project: string): number {
    const names = this.c.project;
    let lo = 0;
    let hi = names.length - 1;
    // Appending in order is the common case of a full run.
    if (hi >= 0 && names[hi]! < project) return -(hi + 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const name = names[mid]!;
      if (name < project) lo = mid + 1;
      else if (name > project) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
}

/** The summary as the last regeneration left it. */
export interface LoadedSummary {
  readonly table: SummaryTable;
  readonly renderer: string;
  readonly rootSimple: string | null;
  readonly rootHuman: string | null;
  /** Changes appended since the base file was written. */
  readonly logLines: number;
}

/**
 * Reads the summary: the base file plus the changes appended to
 * `.farm/index-summary.log` since. `undefined` when the base is missing or
 * malformed, and the caller falls back to a full regeneration, which
 * rewrites it. A torn log line (a crash mid-append) is skipped: the projects
 * it described were still marked dirty, and a later line redoes them.
 *
 * Checked by hand rather than with a zod schema: it is farm's private cache
 * (never user input, rebuilt by `farm index --full`), it is read on every
 * incremental run, and schema-parsing it would take most of that run's 50 ms
 * budget.
 */
export function readSummary(paths: RepositoryPaths): LoadedSummary | undefined {
  const bytes = readFileIfExistsSync(paths.summary);
  if (bytes === undefined) return undefined;
  const base = SummaryTable.parse(bytes.toString('utf8'));
  if (base === undefined) return undefined;
  let { rootSimple, rootHuman } = base;
  let logLines = 0;
  const log = readFileIfExistsSync(logFile(paths))?.toString('utf8') ?? '';
  for (const line of log.split('\n')) {
    if (line === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(entry)) continue;
    const [kind, ...rest] = entry as unknown[];
    if (kind === 'u' && isUpsert(rest)) {
      const [project, name, latestVersion, files, digest, h, j, l, b] = rest as [string, string, string | null, number, string, number, number, number, number];
      base.table.upsert({ project, name, latestVersion, files, digest, sizes: [h, j, l, b] });
    } else if (kind === 'd' && typeof rest[0] === 'string') {
      base.table.remove(rest[0]);
    } else if (kind === 'm' && isNullableString(rest[0]) && isNullableString(rest[1])) {
      rootSimple = rest[0] as string | null;
      rootHuman = rest[1] as string | null;
    } else {
      continue;
    }
    logLines += 1;
  }
  return { table: base.table, renderer: base.renderer, rootSimple, rootHuman, logLines };
}

/** Writes the whole summary and drops the change log (full runs, and compaction). */
export function writeSummary(
  paths: RepositoryPaths,
  table: SummaryTable,
  meta: { renderer: string; rootSimple: string | null; rootHuman: string | null },
): void {
  writeFileAtomicSync(paths.summary, table.toFile(meta));
  fs.rmSync(logFile(paths), { force: true });
}

/**
 * Appends an incremental run's changes to the log instead of rewriting the
 * whole summary: on a large repository that saves replacing a 2 MB file on
 * every run. fdatasync'ed before the caller clears the dirty markers.
 */
export function appendSummaryChanges(
  paths: RepositoryPaths,
  changes: { upserts: readonly PublishedProject[]; removals: readonly string[]; rootSimple: string | null; rootHuman: string | null },
): void {
  const lines = [
    ...changes.upserts.map((p) =>
      JSON.stringify(['u', p.project, p.name, p.latestVersion, p.files, p.digest, ...p.sizes]),
    ),
    ...changes.removals.map((project) => JSON.stringify(['d', project])),
    JSON.stringify(['m', changes.rootSimple, changes.rootHuman]),
  ];
  const fd = fs.openSync(logFile(paths), 'a+', 0o644);
  try {
    // After a torn append, start on a line of our own.
    const { size } = fs.fstatSync(fd);
    const last = Buffer.alloc(1);
    const torn = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    fs.writeSync(fd, `${torn ? '\n' : ''}${lines.join('\n')}\n`);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function logFile(paths: RepositoryPaths): string {
  return `${paths.summary.replace(/\.json$/, '')}.log`;
}

function isUpsert(rest: unknown[]): boolean {
  return (
    rest.length === 5 + PAGES &&
    isString(rest[0]) &&
    isString(rest[1]) &&
    isNullableString(rest[2]) &&
    isCount(rest[3]) &&
    isString(rest[4]) &&
    isCount(rest[5]) &&
    isCount(rest[6]) &&
    isCount(rest[7]) &&
    isCount(rest[8])
  );
}
const isString = (v: unknown): boolean => typeof v === 'string';
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function isSummaryFile(data: unknown): data is SummaryFile {
  if (typeof data !== 'object' || data === null) return false;
  const s = data as Record<string, unknown>;
  if (s.format !== 3 || !isString(s.renderer) || !isNullableString(s.rootSimple) || !isNullableString(s.rootHuman)) return false;
  const columns: [string, (v: unknown) => boolean][] = [
    ['project', isString],
    ['name', isString],
    ['latest', isNullableString],
    ['files', isCount],
    ['digest', isString],
  ];
  const n = Array.isArray(s.project) ? s.project.length : -1;
  for (const [key, check] of columns) {
    const column = s[key];
    if (!Array.isArray(column) || column.length !== n || !column.every(check)) return false;
  }
  const project = s.project as string[];
  for (let i = 1; i < n; i++) if (!(project[i - 1]! < project[i]!)) return false;
  return Array.isArray(s.sizes) && s.sizes.length === PAGES * n && s.sizes.every(isCount);
}
