/**
 * The web pages' static files (`web/`: the stylesheet and the small scripts
 * that enhance pages which work without them). Real files, not strings:
 * copied beside the repository browser's pages and served by `farm api`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingFileError } from '../errors.js';

/** The files under `web/`, by name. */
export const WEB_ASSETS = ['farm.css', 'search.js', 'live.js'] as const;
export type WebAsset = (typeof WEB_ASSETS)[number];

/** Content types of the assets. */
export function assetContentType(name: WebAsset): string {
  return name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
}

/**
 * farm's `web/` directory, looked up from this module upwards, so it is found
 * both from the sources (tsx, tests) and from a compiled `dist/`.
 */
export function findWebDir(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'web');
    if (existsSync(path.join(candidate, 'farm.css'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new MissingFileError(path.join(start, 'web'), { hint: 'farm is installed without its web/ directory' });
}

let cache: Map<WebAsset, Buffer> | undefined;

/** The bytes of every asset (read once per process). */
export function readWebAssets(): ReadonlyMap<WebAsset, Buffer> {
  if (cache !== undefined) return cache;
  const dir = findWebDir();
  cache = new Map(WEB_ASSETS.map((name) => [name, readFileSync(path.join(dir, name))]));
  return cache;
}
