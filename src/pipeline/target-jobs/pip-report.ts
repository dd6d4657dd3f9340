/**
 * pip's installation report (`pip install --dry-run --ignore-installed
 * --report`), read as the resolver's answer. pip resolved the set natively in
 * a container of the target, so markers are already evaluated there; this
 * module only validates the JSON and turns it into farm's `ResolvedSet`.
 * Pure.
 *
 * Format: https://pip.pypa.io/en/stable/reference/installation-report/
 * (version "1" since pip 23.0; "0" from pip 22.2/22.3 has the same fields).
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { validate } from '../../validation/validate.js';
import { normalizeName } from '../../wheels/normalize-name.js';
import type { ResolvedPackage, ResolvedSet } from '../contract/resolved-set.js';

const ArchiveInfo = z.looseObject({
  /** Legacy `<algo>=<hex>` form. */
  hash: z.string().optional(),
  /** `{ sha256: hex }`, pip ≥ 23.0. */
  hashes: z.record(z.string(), z.string()).optional(),
});

/** PEP 610 direct URL data, as `download_info`. */
const DownloadInfo = z.looseObject({
  url: z.string().min(1),
  archive_info: ArchiveInfo.optional(),
  dir_info: z.looseObject({}).optional(),
  vcs_info: z.looseObject({}).optional(),
});

/** Core metadata converted to JSON (PEP 566): only the fields farm reads are checked. */
const ReportMetadata = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  requires_dist: z.array(z.string()).optional(),
  requires_python: z.string().optional(),
});

const ReportItem = z.looseObject({
  download_info: DownloadInfo,
  is_direct: z.boolean().default(false),
  requested: z.boolean().default(false),
  metadata: ReportMetadata,
});

/**
 * The parts of the report farm relies on. Third-party JSON: unknown keys are
 * allowed (a newer pip adds fields), the ones used are checked.
 */
export const PipReport = z.looseObject({
  version: z.enum(['0', '1'], { error: 'unsupported installation report version (farm reads "0" and "1")' }),
  pip_version: z.string(),
  install: z.array(ReportItem),
  environment: z.record(z.string(), z.string()).default({}),
});
export type PipReport = z.infer<typeof PipReport>;

const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];

function sha256Of(info: z.infer<typeof ArchiveInfo> | undefined): string | undefined {
  const fromHashes = info?.hashes?.['sha256'];
  if (fromHashes !== undefined) return fromHashes.toLowerCase();
  const legacy = info?.hash;
  if (legacy?.startsWith('sha256=')) return legacy.slice('sha256='.length).toLowerCase();
  return undefined;
}

function filenameOf(url: string): string {
  const withoutFragment = url.split('#')[0]!.split('?')[0]!;
  return decodeURIComponent(withoutFragment.slice(withoutFragment.lastIndexOf('/') + 1));
}

/**
 * Validates a report and turns it into a `ResolvedSet`. Direct references
 * (local files and directories, VCS URLs) are refused: farm builds what an
 * index serves, so that every wheel has a name, a version and a hash. The one
 * exception is a wheel under `repositoryUrlPrefix`: farm's own repository,
 * offered to pip with `--find-links`.
 *
 * @throws ConfigError naming `source` for an invalid report or unsupported entries.
 */
export function parsePipReport(
  data: unknown,
  target: string,
  python: string,
  source = 'pip report',
  repositoryUrlPrefix?: string,
): ResolvedSet {
  const report = validate(PipReport, data, source);
  const problems: { path: string; message: string }[] = [];
  const packages: ResolvedPackage[] = [];
  report.install.forEach((item, i) => {
    const info = item.download_info;
    const filename = filenameOf(info.url);
    const fromRepository =
      repositoryUrlPrefix !== undefined && info.url.startsWith(repositoryUrlPrefix) && filename.endsWith('.whl');
    if (!fromRepository && (info.vcs_info !== undefined || info.dir_info !== undefined || info.url.startsWith('file:'))) {
      problems.push({
        path: `install.${i}`,
        message: `${item.metadata.name}: direct references (${info.url}) are not supported; publish it to an index`,
      });
      return;
    }
    const isWheel = filename.endsWith('.whl');
    if (!isWheel && !SDIST_SUFFIXES.some((s) => filename.endsWith(s))) {
      problems.push({ path: `install.${i}`, message: `${item.metadata.name}: unknown distribution file '${filename}'` });
      return;
    }
    const sha256 = sha256Of(info.archive_info);
    packages.push({
      name: normalizeName(item.metadata.name),
      displayName: item.metadata.name,
      version: item.metadata.version,
      kind: isWheel ? 'wheel' : 'sdist',
      url: info.url,
      filename,
      ...(sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
      requiresDist: item.metadata.requires_dist ?? [],
      ...(item.metadata.requires_python !== undefined ? { requiresPython: item.metadata.requires_python } : {}),
      requested: item.requested,
      fromRepository,
    });
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { target, python, pipVersion: report.pip_version, environment: report.environment, packages, buildEnvs: [] };
}
