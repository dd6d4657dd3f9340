/**
 * The pip command lines farm runs in containers, as argv arrays. Pure.
 */
import { interpreterPath } from '../images/image-names.js';

/**
 * pip's resolution: `install --dry-run --ignore-installed --report` against
 * the upstream index, reading `/in/requirements.txt` (and `/in/constraints.txt`)
 * and writing `/out/report.json`.
 */
export function resolveArgv(python: string, indexUrl: string, extraIndexUrls: readonly string[], withConstraints: boolean): string[] {
  return [
    interpreterPath(python),
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--ignore-installed',
    '--progress-bar',
    'off',
    '--report',
    '/out/report.json',
    '--index-url',
    indexUrl,
    ...extraIndexUrls.flatMap((url) => ['--extra-index-url', url]),
    ...(withConstraints ? ['-c', '/in/constraints.txt'] : []),
    '-r',
    '/in/requirements.txt',
  ];
}

