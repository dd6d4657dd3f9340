/**
 * The pip options farm's container drivers pass, as argv fragments. Pure.
 */
import type { RepositoryAccess } from './wheel-source-access.js';

/**
 * Where pip looks for distributions while resolving: the upstream index (and
 * extra indexes) and the target's repository (mounted read-only and given
 * as `--find-links`, or the served index as an extra index). pip then prefers the wheel farm already has to the sdist of the
 * same version and reads its metadata instead of building it, which makes
 * resolving an already-built set cheap, and the report says which packages
 * need nothing.
 */
export function indexOptions(
  indexUrl: string,
  extraIndexUrls: readonly string[],
  repository: Pick<RepositoryAccess, 'findLinks' | 'indexUrls'> = { findLinks: [], indexUrls: [] },
): string[] {
  return [
    '--index-url',
    indexUrl,
    ...[...extraIndexUrls, ...repository.indexUrls].flatMap((url) => ['--extra-index-url', url]),
    ...repository.findLinks.flatMap((dir) => ['--find-links', dir]),
  ];
}

/** The requirement files of a request's own resolution (`resolve.py` resolves them as `-r`, `-c`). */
export function requirementFileArgs(withConstraints: boolean): string[] {
  return [...(withConstraints ? ['-c', '/in/constraints.txt'] : []), '-r', '/in/requirements.txt'];
}

/**
 * Build requirements as pip arguments: after `--`, so that even a string
 * that slipped past validation is read as a requirement, never as an option.
 */
export function requirementArgs(requires: readonly string[]): string[] {
  return ['--', ...requires];
}
