/**
 * The pip command lines farm runs in containers, as argv arrays. Pure.
 */
import { interpreterPath } from '../../images/image-names.js';
import type { RepositoryAccess } from './wheel-source-access.js';

/**
 * pip's resolution: `install --dry-run --ignore-installed --report` against
 * the upstream index, reading `/in/requirements.txt` (and `/in/constraints.txt`)
 * and writing `/out/report.json`. `repository` adds the target's repository
 * (mounted read-only, or the served index): pip then prefers the wheel farm already has to the
 * sdist of the same version and reads its metadata instead of building it,
 * which makes resolving an already-built set cheap, and the report says
 * which packages need nothing.
 *
 * `buildIsolation: false` lets pip prepare sdist metadata with the image's
 * own setuptools instead of installing build requirements into a fresh
 * environment per sdist: the same metadata for ordinary setuptools projects,
 * and 4-5× faster under qemu. The resolve step falls back to isolation when
 * that fails (another build backend, a too old setuptools).
 */
export function resolveArgv(
  python: string,
  indexUrl: string,
  extraIndexUrls: readonly string[],
  withConstraints: boolean,
  repository: Pick<RepositoryAccess, 'findLinks' | 'indexUrls'> = { findLinks: [], indexUrls: [] },
  buildIsolation = true,
): string[] {
  return [
    interpreterPath(python),
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--ignore-installed',
    ...(buildIsolation ? [] : ['--no-build-isolation']),
    '--progress-bar',
    'off',
    '--report',
    '/out/report.json',
    '--index-url',
    indexUrl,
    ...[...extraIndexUrls, ...repository.indexUrls].flatMap((url) => ['--extra-index-url', url]),
    ...repository.findLinks.flatMap((dir) => ['--find-links', dir]),
    ...(withConstraints ? ['-c', '/in/constraints.txt'] : []),
    '-r',
    '/in/requirements.txt',
  ];
}

