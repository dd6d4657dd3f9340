import { API_VERSION, PACKAGES_FROM_PROJECT_PAGE } from './content-types.js';
import type { ProjectView } from './project-view.js';

/**
 * The PEP 691 project detail (`simple/<project>/index.json`,
 * `application/vnd.pypi.simple.v1+json`) at API version 1.1 (PEP 700:
 * `versions`, `size`, `upload-time`). PEP 658 metadata is announced as
 * `core-metadata` only: PEP 714 asks servers not to emit the old JSON key,
 * which crashes pip releases from 22.3 until the fix.
 */
export function renderProjectJson(view: ProjectView, packagesUrl: string = PACKAGES_FROM_PROJECT_PAGE): string {
  const files: Record<string, unknown>[] = [];
  for (const file of view.files) {
    const entry: Record<string, unknown> = {
      filename: file.filename,
      url: packagesUrl + encodeURIComponent(file.filename),
      hashes: { sha256: file.sha256 },
    };
    if (file.requiresPython !== null) entry['requires-python'] = file.requiresPython;
    entry['core-metadata'] = { sha256: file.metadataSha256 };
    if (file.yanked) entry.yanked = file.yankedReason === '' ? true : file.yankedReason;
    entry.size = file.size;
    entry['upload-time'] = file.uploadTime;
    if (file.build !== undefined) entry['_farm'] = file.build;
    files.push(entry);
  }
  return `${JSON.stringify({ meta: { 'api-version': API_VERSION }, name: view.project, versions: view.versions, files })}\n`;
}
