import { PACKAGES_FROM_PROJECT_PAGE } from './content-types.js';
import { filesOfVersion, type IndexFile, type ProjectView } from './project-view.js';

/**
 * The legacy `pypi/<project>/json` document in the shape dumb-pypi writes
 * (a subset of PyPI's JSON API: `info`, `releases`, `urls`), for tools that
 * still read it. `info` describes the latest version.
 */
export function renderLegacyJson(view: ProjectView, packagesUrl: string = PACKAGES_FROM_PROJECT_PAGE): string {
  const latest = view.latestVersion === null ? [] : filesOfVersion(view, view.latestVersion);
  // The file of the latest release with the most metadata, as dumb-pypi picks it.
  const infoFile = latest.reduce<IndexFile | undefined>(
    (best, f) => (best === undefined || richness(f) > richness(best) ? f : best),
    undefined,
  );
  const releases: Record<string, unknown[]> = {};
  for (const version of view.versions) releases[version] = [];
  const infos = new Map<IndexFile, Record<string, unknown>>();
  for (const file of view.files) {
    const info = fileInfo(file, packagesUrl);
    infos.set(file, info);
    releases[file.version]!.push(info);
  }
  return `${JSON.stringify({
    info: {
      name: view.name,
      version: view.latestVersion,
      requires_dist: infoFile === undefined || infoFile.requiresDist.length === 0 ? null : infoFile.requiresDist,
      requires_python: infoFile?.requiresPython ?? null,
      platform: 'UNKNOWN',
      summary: infoFile?.summary ?? null,
      yanked: latest.length > 0 && latest.every((f) => f.yanked),
      yanked_reason: latest.length > 0 && latest.every((f) => f.yanked) ? latest[0]!.yankedReason || null : null,
    },
    releases,
    urls: latest.map((f) => infos.get(f)!),
  })}\n`;
}

function richness(file: IndexFile): number {
  return Number(file.requiresDist.length > 0) + Number(file.requiresPython !== null) + Number(file.summary !== null);
}

function fileInfo(file: IndexFile, packagesUrl: string): Record<string, unknown> {
  return {
    filename: file.filename,
    url: `${packagesUrl}${encodeURIComponent(file.filename)}`,
    requires_python: file.requiresPython,
    packagetype: 'bdist_wheel',
    yanked: file.yanked,
    yanked_reason: file.yanked && file.yankedReason !== '' ? file.yankedReason : null,
    upload_time: file.uploadTime.slice(0, 19).replace('T', ' '),
    upload_time_iso_8601: file.uploadTime,
    digests: { sha256: file.sha256 },
    size: file.size,
  };
}
