/**
 * The project list cut into pages ("chunks") for browsing and search, so no
 * page carries the whole list. Pure.
 *
 * Boundaries are content-defined: a project starts a new chunk when a hash
 * of its name falls in 1/`AVERAGE` of the hash space (or the chunk is
 * `MAX` long). Adding or removing one project therefore changes only the
 * chunk it falls in (or splits/merges one), never shifts every later page:
 * an incremental regeneration rewrites one or two chunk files, not hundreds.
 * A chunk is named by its first project, so its URL is stable too.
 */
import type { RootEntry } from '../../index/render-root.js';

/** Expected projects per chunk. */
export const AVERAGE = 256;
/** A chunk never holds more than this many projects. */
export const MAX = 1024;

/** One chunk: consecutive projects in name order. */
export interface ProjectChunk {
  /** The first project's normalised name: the chunk's file name. */
  readonly first: string;
  readonly last: string;
  readonly entries: readonly RootEntry[];
}

/** FNV-1a over the name's UTF-16 code units: cheap, stable, well spread. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Whether `project` starts a chunk by itself (a content-defined boundary). */
export function isBoundary(project: string): boolean {
  return nameHash(project) % AVERAGE === 0;
}

/** Cuts `entries` (sorted by `project`) into chunks. */
export function chunkProjects(entries: readonly RootEntry[]): ProjectChunk[] {
  const chunks: ProjectChunk[] = [];
  let start = 0;
  const close = (end: number): void => {
    if (end > start) chunks.push({ first: entries[start]!.project, last: entries[end - 1]!.project, entries: entries.slice(start, end) });
    start = end;
  };
  for (let i = 1; i < entries.length; i++) {
    if (i - start >= MAX || isBoundary(entries[i]!.project)) close(i);
  }
  close(entries.length);
  return chunks;
}

/**
 * A cheap digest of what a chunk's pages show (names, latest versions,
 * counts, and its neighbours for the previous/next links), to skip
 * re-rendering and rewriting unchanged chunks.
 */
export function chunkKey(chunk: ProjectChunk, previous: string | null, next: string | null): string {
  const parts: string[] = [previous ?? '', next ?? ''];
  for (const e of chunk.entries) parts.push(e.project, e.name, e.latestVersion ?? '', String(e.files));
  return parts.join('\u0000');
}
