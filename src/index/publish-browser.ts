/**
 * Publishing the repository browser (`src/web/browse`) with the index:
 * the same regeneration run, the same atomic writes, the same rule that an
 * incremental run only touches what changed.
 *
 * - A project's browser page is written with its simple-API pages
 *   (`publishProject`), and its size is checked by `farm index --full` with theirs.
 * - The home page, the chunk pages of the project list and the search index
 *   are written when the root pages are; only chunks whose content changed
 *   are rewritten (their keys are kept in `.farm/browse-chunks.json`).
 * - Wheel pages need the wheel's RECORD: read once per wheel (after the
 *   projects, asynchronously), kept in `.farm/contents/`, re-rendered when
 *   their project is.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readFileIfExistsSync, writeFileAtomicSync } from '../files/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import { readWebAssets } from '../web/assets.js';
import { PROJECT_DIR, PROJECTS_DIR, SEARCH_MANIFEST, STATIC_DIR } from '../web/browse/browse-urls.js';
import { chunkKey, chunkProjects } from '../web/browse/project-chunks.js';
import { repositoryTargets, type BrowserFile } from '../web/browse/project-matrix.js';
import { renderChunkJson, renderChunkPage, renderSearchManifest } from '../web/browse/render-chunk.js';
import { renderHomePage } from '../web/browse/render-home.js';
import { renderProjectPage } from '../web/browse/render-project-page.js';
import { renderWheelPage } from '../web/browse/render-wheel-page.js';
import { readWheelContents, WheelContents } from '../web/browse/wheel-contents.js';
import { validate } from '../validation/validate.js';
import type { ProjectView } from './project-view.js';
import type { RootEntry } from './render-root.js';

/** The browser's project page beside the project's simple-API pages. */
export const BROWSER_PAGE = 'project.html';

/** `<repo>/simple/<project>/project.html`, served at `<repo>/project/<project>/`. */
export function browserProjectFile(paths: RepositoryPaths, project: string): string {
  return path.join(paths.simple, project, BROWSER_PAGE);
}

/** The browser page of a project (its inventory records carry provenance, so they are `BrowserFile`s). */
export function renderBrowserProjectPage(repository: string, view: ProjectView): string {
  return renderProjectPage({ repository, view: view as ProjectView & { files: readonly BrowserFile[] }, targets: repositoryTargets(repository) });
}

/** Removes a project's wheel pages (its simple-API directory, with the project page, goes separately). */
export function unpublishWheelPages(paths: RepositoryPaths, project: string): void {
  fs.rmSync(path.join(paths.dir, PROJECT_DIR, project), { recursive: true, force: true });
}

/** Full regeneration: wheel pages of projects that no longer exist go. */
export function removeStaleBrowserPages(paths: RepositoryPaths, live: ReadonlySet<string>): void {
  for (const name of listDir(path.join(paths.dir, PROJECT_DIR))) {
    if (!live.has(name)) fs.rmSync(path.join(paths.dir, PROJECT_DIR, name), { recursive: true, force: true });
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

function chunkStateFile(paths: RepositoryPaths): string {
  return path.join(paths.state, 'browse-chunks.json');
}

function readChunkState(paths: RepositoryPaths): Record<string, string> {
  try {
    const data: unknown = JSON.parse(readFileIfExistsSync(chunkStateFile(paths))?.toString('utf8') ?? '{}');
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * Publishes the home page, the chunk pages, the search index and the web
 * assets. Unchanged chunks are left alone (`full`: also checked to be on disk).
 *
 * @returns the digest of the home page and search index, and whether anything was written.
 */
export function publishBrowserRoot(
  paths: RepositoryPaths,
  entries: readonly RootEntry[],
  previousDigest: string | null,
  full: boolean,
): { digest: string; written: boolean } {
  const chunks = chunkProjects(entries);
  const dir = path.join(paths.dir, PROJECTS_DIR);
  const state = readChunkState(paths);
  const onDisk = full ? new Set(listDir(dir)) : undefined;
  const nextState: Record<string, string> = {};
  let written = false;
  chunks.forEach((chunk, i) => {
    const previous = i > 0 ? chunks[i - 1]!.first : null;
    const next = i + 1 < chunks.length ? chunks[i + 1]!.first : null;
    const key = sha1(chunkKey(chunk, previous, next));
    nextState[chunk.first] = key;
    const present = onDisk === undefined || (onDisk.has(`${chunk.first}.html`) && onDisk.has(`${chunk.first}.json`));
    if (state[chunk.first] === key && present) return;
    writeFileAtomicSync(path.join(dir, `${chunk.first}.html`), renderChunkPage(paths.name, chunk, previous, next));
    writeFileAtomicSync(path.join(dir, `${chunk.first}.json`), renderChunkJson(chunk.entries));
    written = true;
  });
  // Chunks that merged into others (or every chunk of a now empty repository).
  const live = new Set(chunks.flatMap((c) => [`${c.first}.html`, `${c.first}.json`]));
  live.add(SEARCH_MANIFEST);
  for (const name of onDisk ?? Object.keys(state).flatMap((first) => (first in nextState ? [] : [`${first}.html`, `${first}.json`]))) {
    if (!live.has(name) && !name.startsWith('.')) fs.rmSync(path.join(dir, name), { force: true });
  }
  if (written || Object.keys(state).length !== chunks.length) writeFileAtomicSync(chunkStateFile(paths), JSON.stringify(nextState));

  const wheels = entries.reduce((sum, e) => sum + e.files, 0);
  const home = renderHomePage({ repository: paths.name, projects: entries.length, wheels, chunks });
  const manifest = renderSearchManifest(chunks);
  const hash = createHash('sha1').update(home).update('\0').update(manifest);
  const digest = hash.digest('hex');
  const files = [paths.humanPage, path.join(dir, SEARCH_MANIFEST)];
  const sizesMatch = files.every((file, i) => fileSize(file) === Buffer.byteLength(i === 0 ? home : manifest));
  if (digest !== previousDigest || !sizesMatch) {
    writeFileAtomicSync(files[0]!, home);
    writeFileAtomicSync(files[1]!, manifest);
    written = true;
  }
  if (full || written) publishAssets(paths);
  return { digest, written };
}

function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

/** The assets the repository browser uses (the others are the builds pages'). */
const REPOSITORY_ASSETS: ReadonlySet<string> = new Set(['farm.css', 'search.js']);

/** Copies the stylesheet and the search script into `<repo>/static/` where they differ. */
function publishAssets(paths: RepositoryPaths): void {
  for (const [name, bytes] of readWebAssets()) {
    if (!REPOSITORY_ASSETS.has(name)) continue;
    const file = path.join(paths.dir, STATIC_DIR, name);
    const current = readFileIfExistsSync(file);
    if (current === undefined || !current.equals(bytes)) writeFileAtomicSync(file, bytes);
  }
}

/** A wheel whose page to publish. */
export interface PendingWheelPage {
  readonly project: string;
  readonly name: string;
  readonly file: BrowserFile;
}

/** A wheel whose contents could not be read: its page is left out. */
export interface WheelPageProblem {
  readonly file: string;
  readonly message: string;
}

/**
 * Publishes the wheel pages of re-rendered projects, reading each wheel's
 * RECORD the first time, and removes pages of wheels that are gone.
 */
export async function publishWheelPages(paths: RepositoryPaths, pending: readonly PendingWheelPage[]): Promise<WheelPageProblem[]> {
  const problems: WheelPageProblem[] = [];
  const byProject = new Map<string, PendingWheelPage[]>();
  for (const p of pending) {
    const list = byProject.get(p.project);
    if (list === undefined) byProject.set(p.project, [p]);
    else list.push(p);
  }
  const contentsDir = path.join(paths.state, 'contents');
  for (const [project, wheels] of byProject) {
    const dir = path.join(paths.dir, PROJECT_DIR, project);
    const keep = new Set<string>();
    for (const wheel of wheels) {
      const filename = wheel.file.filename;
      const sidecar = path.join(contentsDir, `${filename}.json`);
      let contents: WheelContents;
      try {
        const stored = readFileIfExistsSync(sidecar);
        if (stored !== undefined) {
          contents = validate(WheelContents, JSON.parse(stored.toString('utf8')), sidecar);
        } else {
          contents = await readWheelContents(path.join(paths.packages, filename));
          writeFileAtomicSync(sidecar, JSON.stringify(contents));
        }
      } catch (error) {
        problems.push({ file: path.join(paths.packages, filename), message: `no wheel page: ${(error as Error).message}` });
        continue;
      }
      const page = renderWheelPage({ repository: paths.name, project, name: wheel.name, file: wheel.file, contents });
      const target = path.join(dir, `${filename}.html`);
      keep.add(`${filename}.html`);
      if (readFileIfExistsSync(target)?.toString('utf8') !== page) writeFileAtomicSync(target, page);
    }
    for (const name of listDir(dir)) if (!keep.has(name) && !name.startsWith('.')) fs.rmSync(path.join(dir, name), { force: true });
  }
  return problems;
}
