import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../repository/atomic-file.js';
import type { RepositoryPaths } from '../repository/repository-paths.js';
import type { PublishedProject } from './index-summary.js';
import { projectView, type IndexProject } from './project-view.js';
import { renderLegacyJson } from './render-legacy-json.js';
import { renderProjectHtml } from './render-project-html.js';
import { renderProjectJson } from './render-project-json.js';
import { renderHumanPage, renderRootHtml, renderRootJson, type RootEntry } from './render-root.js';

/**
 * Publishing: every page is replaced atomically (temp file + rename, see
 * `writeFileAtomicSync`), so a client reading during a regeneration gets the
 * old page or the new one. Pages whose rendering is byte-identical to what
 * was last published are not rewritten at all.
 */

/** The files of one project's pages. */
export function projectPageFiles(paths: RepositoryPaths, project: string): readonly [string, string, string] {
  return [
    path.join(paths.simple, project, 'index.html'),
    path.join(paths.simple, project, 'index.json'),
    path.join(paths.pypi, project, 'json'),
  ];
}

/** The root pages: PEP 503 HTML, PEP 691 JSON, the page for humans. */
export function rootPageFiles(paths: RepositoryPaths): readonly [string, string, string] {
  return [path.join(paths.simple, 'index.html'), path.join(paths.simple, 'index.json'), paths.humanPage];
}

export interface PublishOutcome {
  readonly published: PublishedProject;
  /** False when the pages were already up to date. */
  readonly written: boolean;
}

/**
 * Renders and publishes one project's three pages.
 *
 * @param previous what the summary says was last published for it.
 * @param verify also check the files on disk still have the recorded sizes
 *   (full regeneration: repairs pages deleted or edited by hand).
 */
export function publishProject(
  paths: RepositoryPaths,
  project: IndexProject,
  previous: PublishedProject | undefined,
  verify: boolean,
): PublishOutcome {
  const view = projectView(project);
  const pages = [renderProjectHtml(view), renderProjectJson(view), renderLegacyJson(view)] as const;
  const digest = digestOf(pages);
  const sizes = [Buffer.byteLength(pages[0]), Buffer.byteLength(pages[1]), Buffer.byteLength(pages[2])] as const;
  const published: PublishedProject = {
    project: view.project,
    name: view.name,
    latestVersion: view.latestVersion,
    files: view.files.length,
    digest,
    sizes,
  };
  const files = projectPageFiles(paths, view.project);
  if (previous?.digest === digest && (!verify || haveSizes(files, sizes))) return { published, written: false };
  for (let i = 0; i < 3; i++) writeFileAtomicSync(files[i]!, pages[i]!);
  return { published, written: true };
}

/** Removes a project's pages (its last wheel is gone). */
export function unpublishProject(paths: RepositoryPaths, project: string): void {
  fs.rmSync(path.join(paths.simple, project), { recursive: true, force: true });
  fs.rmSync(path.join(paths.pypi, project), { recursive: true, force: true });
}

/**
 * Publishes the root pages for `entries` (sorted by project) unless they are
 * identical to `previousDigest` and, with `verify`, still on disk.
 *
 * @returns the digest of the root pages and whether they were written.
 */
export function publishRoot(
  paths: RepositoryPaths,
  entries: readonly RootEntry[],
  previousDigest: string | null,
  verify: boolean,
): { digest: string; written: boolean } {
  const pages = [renderRootHtml(entries), renderRootJson(entries), renderHumanPage(paths.name, entries)] as const;
  const digest = digestOf(pages);
  const files = rootPageFiles(paths);
  const sizes = pages.map((p) => Buffer.byteLength(p));
  if (previousDigest === digest && (!verify || haveSizes(files, sizes))) return { digest, written: false };
  for (let i = 0; i < 3; i++) writeFileAtomicSync(files[i]!, pages[i]!);
  return { digest, written: true };
}

function digestOf(pages: readonly string[]): string {
  const hash = createHash('sha1');
  for (const page of pages) hash.update(page).update('\0');
  return hash.digest('hex');
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
