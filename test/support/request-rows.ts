/**
 * Since farm builds the whole graph (issue 12), a request's status has rows
 * for the build dependencies of what it built (setuptools and wheel for the
 * fixtures, mirrored from upstream), and their wheels are published. Tests
 * about the packages a request asked for look at those through these two.
 */
import type { PackageRow, RequestStatus } from '../../src/pipeline/contract/request-types.js';

/** The rows of the packages the request asked for; build dependencies are rows of their own. */
export function requestedRows(status: Pick<RequestStatus, 'rows'>): PackageRow[] {
  return status.rows.filter((r) => r.buildDependency !== true);
}

/** A wheel of the fixtures' build backend (setuptools, wheel), mirrored into the repository with the build. */
export function isBuildBackendWheel(filename: string): boolean {
  return /^(setuptools|wheel)-[^-]+-py3-none-any\.whl$/.test(filename);
}
