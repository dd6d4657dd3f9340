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
 * old page or the new one, never a mix or a partial file.
 */

/** The files of one project's pages. */
export function projectPageFiles(paths: RepositoryPaths, project: string): readonly [string, string, string] {
  return [
    path.join(paths.simple, project, 'index.html'),
    path.join(paths.simple, project, 'index.json'),
    path.join(paths.pypi, project, 'json'),
  ];
}

/**
 * Renders and publishes one project's three pages.
 *
 * @param inputDigest the digest of what the pages are rendered from, recorded in the summary.
 */
export function publishProject(paths: RepositoryPaths, project: IndexProject, inputDigest: string): PublishedProject {
  const view = projectView(project);
  const pages = [renderProjectHtml(view), renderProjectJson(view), renderLegacyJson(view)] as const;
  const files = projectPageFiles(paths, view.project);
  for (let i = 0; i < 3; i++) writeFileAtomicSync(files[i]!, pages[i]!);
  return {
    project: view.project,
    name: view.name,
    latestVersion: view.latestVersion,
    files: view.files.length,
    digest: inputDigest,
    sizes: [Buffer.byteLength(pages[0]), Buffer.byteLength(pages[1]), Buffer.byteLength(pages[2])],
  };
}

/** True when a project's pages are on disk with the sizes last published. */
export function projectPagesIntact(paths: RepositoryPaths, published: PublishedProject): boolean {
  return haveSizes(projectPageFiles(paths, published.project), published.sizes);
}

/** Removes a project's pages (its last wheel is gone). */
export function unpublishProject(paths: RepositoryPaths, project: string): void {
  fs.rmSync(path.join(paths.simple, project), { recursive: true, force: true });
  fs.rmSync(path.join(paths.pypi, project), { recursive: true, force: true });
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

/** Publishes the page for humans (names, latest versions, counts) unless unchanged. */
export function publishHumanPage(
  paths: RepositoryPaths,
  entries: readonly RootEntry[],
  previousDigest: string | null,
): { digest: string; written: boolean } {
  return publishIfChanged([paths.humanPage], [renderHumanPage(paths.name, entries)], previousDigest);
}

function publishIfChanged(
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
