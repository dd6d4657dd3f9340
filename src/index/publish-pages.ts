import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../files/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import type { BackgroundPublisher, NewDirectoryJob } from './background-publisher.js';
import type { PublishedProject } from './index-summary.js';
import { publishNewDirectory } from './new-project-directory.js';
import { projectView, type IndexProject } from './project-view.js';
import { renderLegacyJson } from './render-legacy-json.js';
import { renderProjectHtml } from './render-project-html.js';
import { renderProjectJson } from './render-project-json.js';
import { renderRootHtml, renderRootJson, type RootEntry } from './render-root.js';
import { BROWSER_PAGE, browserProjectFile, renderBrowserProjectPage, unpublishWheelPages } from './publish-browser.js';

const PAGE_NAMES = ['index.html', 'index.json', 'json', BROWSER_PAGE] as const;

/**
 * Publishing. A project's three pages live in one directory,
 * `simple/<project>/{index.html,index.json,json}`; `pypi` is a symlink to
 * `simple`, so the legacy `pypi/<project>/json` is the same file and a
 * project costs one directory, not two (directory creation dominates a first
 * publication).
 *
 * Atomicity: an existing page is replaced by temp file + rename (see
 * `writeFileAtomicSync`); a new project's directory is filled under a hidden
 * name and renamed into place whole. Either way a client reading during a
 * regeneration sees the old page, the new one, or (for a new project) none
 * yet, never a partial one.
 */

/**
 * The files of one project's pages: PEP 503 HTML, PEP 691 JSON, legacy JSON
 * and the repository browser's project page. The browser's page lives in the
 * same directory (served at `<repo>/project/<name>/`), so a new project still
 * costs one directory, filled and renamed into place whole.
 */
export function projectPageFiles(paths: RepositoryPaths, project: string): readonly [string, string, string, string] {
  const dir = path.join(paths.simple, project);
  return [path.join(dir, 'index.html'), path.join(dir, 'index.json'), path.join(dir, 'json'), browserProjectFile(paths, project)];
}


/**
 * Renders and publishes one project's three pages.
 *
 * @param inputDigest the digest of what the pages are rendered from, recorded in the summary.
 * @param state whether `simple/<project>/` exists already (the caller knows
 *   from one readdir), and if so whether its pages are of unknown content
 *   (no summary entry: first run of a new farm version, or a lost summary):
 *   those are compared first and left alone when identical, because
 *   replacing a file costs far more than reading it.
 * @param background when given and not busy, a missing directory is queued
 *   on it instead of written here (the caller drains it before relying on the pages).
 * @param browser also publish the repository browser's page of the project (`project/<name>.html`).
 */
export function publishProject(
  paths: RepositoryPaths,
  project: IndexProject,
  inputDigest: string,
  state: 'missing' | 'known' | 'unknown',
  background?: BackgroundPublisher,
  browser = true,
): PublishedProject {
  const view = projectView(project);
  const browserPage = browser ? renderBrowserProjectPage(paths.name, view) : '';
  const pages = [renderProjectHtml(view), renderProjectJson(view), renderLegacyJson(view), ...(browser ? [browserPage] : [])];
  const dir = path.join(paths.simple, view.project);
  if (state === 'missing' && background !== undefined && !background.busy) {
    background.add({ staging: stagingDirFor(paths, dir), dir, names: PAGE_NAMES.slice(0, pages.length), pages });
  } else if (state === 'missing' && publishNewDirectory(stagingDirFor(paths, dir), dir, PAGE_NAMES, pages)) {
    // Published whole.
  } else {
    const files = projectPageFiles(paths, view.project);
    for (let i = 0; i < pages.length; i++) {
      if (state === 'unknown' && sameContent(files[i]!, pages[i]!)) continue;
      writeFileAtomicSync(files[i]!, pages[i]!);
    }
  }
  return {
    project: view.project,
    name: view.name,
    latestVersion: view.latestVersion,
    files: view.files.length,
    digest: inputDigest,
    sizes: [Buffer.byteLength(pages[0]!), Buffer.byteLength(pages[1]!), Buffer.byteLength(pages[2]!), Buffer.byteLength(browserPage)],
  };
}

function sameContent(file: string, page: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8') === page;
  } catch {
    return false;
  }
}

/**
 * The fallback for a queued new directory that turned out to exist: replace
 * its pages one by one, each atomically.
 */
export function replaceProjectPages(job: NewDirectoryJob): void {
  job.pages.forEach((page, i) => writeFileAtomicSync(path.join(job.dir, job.names[i]!), page));
}

/** Hidden (servers refuse dotfiles) and per process; a full run removes leftovers. */
function stagingDirFor(paths: RepositoryPaths, dir: string): string {
  return path.join(paths.simple, `.${path.basename(dir)}.${process.pid}.new`);
}

/** True when a project's pages are on disk with the sizes last published. */
export function projectPagesIntact(paths: RepositoryPaths, published: PublishedProject, browser = true): boolean {
  const files = projectPageFiles(paths, published.project);
  return browser ? haveSizes(files, published.sizes) : haveSizes(files.slice(0, 3), published.sizes.slice(0, 3));
}

/** Removes a project's pages (its last wheel is gone), its browser page and its wheel pages. */
export function unpublishProject(paths: RepositoryPaths, project: string): void {
  fs.rmSync(path.join(paths.simple, project), { recursive: true, force: true });
  unpublishWheelPages(paths, project);
}

/**
 * Makes `pypi` a symlink to `simple` (legacy JSON at `pypi/<project>/json`).
 * A real `pypi/` directory, as dumb-pypi leaves one, is replaced; its
 * contents were generated and are regenerated under `simple/`.
 */
export function ensurePypiLink(paths: RepositoryPaths): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(paths.pypi);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat?.isSymbolicLink() && fs.readlinkSync(paths.pypi) === 'simple') return;
  fs.mkdirSync(paths.simple, { recursive: true });
  const link = path.join(paths.dir, `.pypi.${process.pid}.link`);
  fs.rmSync(link, { force: true });
  fs.symlinkSync('simple', link);
  if (stat !== undefined && stat.isDirectory()) {
    const old = path.join(paths.state, `old-pypi.${process.pid}.${Date.now()}`);
    fs.mkdirSync(paths.state, { recursive: true });
    fs.renameSync(paths.pypi, old);
    fs.renameSync(link, paths.pypi);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(link, paths.pypi);
  }
}

/**
 * Publishes `simple/index.html` and `simple/index.json` (they depend on the
 * project names only) unless identical to `previousDigest` and on disk.
 */
export function publishSimpleRoot(
  paths: RepositoryPaths,
  entries: readonly RootEntry[],
  previousDigest: string | null,
): { digest: string; written: boolean } {
  const files = [path.join(paths.simple, 'index.html'), path.join(paths.simple, 'index.json')];
  return publishIfChanged(files, [renderRootHtml(entries), renderRootJson(entries)], previousDigest);
}

export function publishIfChanged(
  files: readonly string[],
  pages: readonly string[],
  previousDigest: string | null,
): { digest: string; written: boolean } {
  const hash = createHash('sha1');
  for (const page of pages) hash.update(page).update('\0');
  const digest = hash.digest('hex');
  if (digest === previousDigest && haveSizes(files, pages.map((p) => Buffer.byteLength(p)))) return { digest, written: false };
  files.forEach((file, i) => writeFileAtomicSync(file, pages[i]!));
  return { digest, written: true };
}

function haveSizes(files: readonly string[], sizes: readonly number[]): boolean {
  return files.every((file, i) => {
    try {
      return fs.statSync(file).size === sizes[i];
    } catch {
      return false;
    }
  });
}
