import { LEGACY_HTML, SIMPLE_JSON } from '../index/content-types.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { PROJECT_DIR, PROJECTS_DIR, STATIC_DIR } from '../web/browse/browse-urls.js';

/**
 * What to answer for a request path below the repository root. Pure: the
 * server turns it into file reads. Paths are segment arrays relative to the
 * root, already checked to be plain names (no `..`, no hidden names).
 */
export type Route =
  /** `/`: the list of repositories. */
  | { readonly kind: 'listing' }
  /** Redirect (301) to `location`, relative to the requested URL. */
  | { readonly kind: 'redirect'; readonly location: string }
  /** A simple-API page: `index.json` or `index.html` in `dir`, by content negotiation. */
  | { readonly kind: 'negotiated'; readonly dir: readonly string[] }
  /** A plain file with a fixed content type. */
  | { readonly kind: 'file'; readonly file: readonly string[]; readonly contentType: string }
  /** `/<repo>/go?q=<name>`: the browser's jump to a project by name (the server reads `q`). */
  | { readonly kind: 'go'; readonly repository: string }
  | { readonly kind: 'bad-request'; readonly reason: string }
  | { readonly kind: 'not-found' };

/** Content type of `<wheel>.metadata` (PEP 658 core metadata: RFC 822 text). */
export const METADATA_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

const PROJECT_SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Routes a raw request path (`/glibc/simple/Foo_Bar/`, still percent-encoded).
 *
 * - `/<repo>/simple/` and `/<repo>/simple/<project>/` are negotiated (PEP 691);
 * - a project name that isn't normalised redirects to the normalised URL
 *   (PEP 503), as does a missing trailing slash;
 * - `/<repo>/pypi/<project>/json` is the legacy JSON;
 * - `/<repo>/packages/<file>` are the wheels and their `.metadata`;
 * - `/<repo>/` is the repository browser's home page, and `projects/`,
 *   `project/`, `static/` and `go` its other pages (`src/web/browse`);
 * - a hidden segment (`.farm/`, temp files), `..`, an encoded `/`, `\` or NUL
 *   never reaches the file system.
 */
export function routeRequest(rawPath: string): Route {
  if (!rawPath.startsWith('/')) return { kind: 'bad-request', reason: 'path must start with /' };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'bad-request', reason: 'malformed percent-encoding' };
    }
    if (/[/\\\0]/.test(segment) || segment === '..' || segment === '.') {
      return { kind: 'bad-request', reason: 'path escapes the repository root' };
    }
    if (segment.startsWith('.')) return { kind: 'not-found' };
    segments.push(segment);
  }
  // `segments` ends with '' when the path ends with '/'.
  const trailingSlash = segments[segments.length - 1] === '';
  const parts = trailingSlash ? segments.slice(0, -1) : segments;
  if (parts.some((p) => p === '')) return { kind: 'not-found' };
  const last = parts[parts.length - 1] ?? '';
  const [repo, area, name, ...rest] = parts;

  if (repo === undefined) return { kind: 'listing' };
  if (area === undefined) {
    return trailingSlash
      ? { kind: 'file', file: [repo, 'index.html'], contentType: HTML_CONTENT_TYPE }
      : { kind: 'redirect', location: `${encodeURIComponent(repo)}/` };
  }
  if (area === 'index.html' && name === undefined && !trailingSlash) {
    return { kind: 'file', file: [repo, 'index.html'], contentType: HTML_CONTENT_TYPE };
  }

  if (area === 'simple') {
    if (name === undefined) {
      return trailingSlash ? { kind: 'negotiated', dir: [repo, 'simple'] } : { kind: 'redirect', location: 'simple/' };
    }
    if (rest.length === 0 && !trailingSlash && (name === 'index.html' || name === 'index.json')) {
      return staticPage([repo, 'simple', name]);
    }
    if (!PROJECT_SEGMENT.test(name)) return { kind: 'not-found' };
    const normalized = normalizeName(name);
    if (rest.length === 0) {
      if (normalized !== name) return { kind: 'redirect', location: `${trailingSlash ? '../' : ''}${normalized}/` };
      return trailingSlash ? { kind: 'negotiated', dir: [repo, 'simple', name] } : { kind: 'redirect', location: `${name}/` };
    }
    if (rest.length === 1 && !trailingSlash && (rest[0] === 'index.html' || rest[0] === 'index.json')) {
      if (normalized !== name) return { kind: 'redirect', location: `../${normalized}/${rest[0]}` };
      return staticPage([repo, 'simple', name, rest[0]]);
    }
    return { kind: 'not-found' };
  }

  if (area === 'pypi' && name !== undefined && PROJECT_SEGMENT.test(name)) {
    const normalized = normalizeName(name);
    if (rest.length === 1 && rest[0] === 'json' && !trailingSlash) {
      if (normalized !== name) return { kind: 'redirect', location: `../${normalized}/json` };
      // Read from simple/ directly: `pypi` is a symlink, and nothing is served through one.
      return { kind: 'file', file: [repo, 'simple', name, 'json'], contentType: 'application/json' };
    }
    if (rest.length === 0 && normalized !== name) {
      return { kind: 'redirect', location: `${trailingSlash ? '../' : ''}${normalized}/json` };
    }
    return { kind: 'not-found' };
  }

  const browser = routeBrowser(repo, area, name, rest, trailingSlash);
  if (browser !== undefined) return browser;

  if (area === 'packages' && name !== undefined && rest.length === 0 && !trailingSlash) {
    const contentType = last.endsWith('.metadata') ? METADATA_CONTENT_TYPE : 'application/octet-stream';
    return { kind: 'file', file: [repo, 'packages', name], contentType };
  }
  return { kind: 'not-found' };
}

const CHUNK_FILE = /^[a-z0-9]+(?:-[a-z0-9]+)*\.(html|json)$/;
const ASSET_TYPES: Readonly<Record<string, string>> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };

/**
 * The repository browser's URLs (see `src/web/browse/browse-urls.ts`);
 * `undefined` when the path is not one of them.
 */
function routeBrowser(repo: string, area: string, name: string | undefined, rest: readonly string[], trailingSlash: boolean): Route | undefined {
  if (area === 'go' && name === undefined && !trailingSlash) return { kind: 'go', repository: repo };
  if (area === PROJECTS_DIR && name !== undefined && rest.length === 0 && !trailingSlash) {
    const match = CHUNK_FILE.exec(name);
    if (match === null) return { kind: 'not-found' };
    return { kind: 'file', file: [repo, PROJECTS_DIR, name], contentType: match[1] === 'html' ? HTML_CONTENT_TYPE : 'application/json' };
  }
  if (area === STATIC_DIR && name !== undefined && rest.length === 0 && !trailingSlash) {
    const type = ASSET_TYPES[name.slice(name.lastIndexOf('.') + 1)];
    return type === undefined ? { kind: 'not-found' } : { kind: 'file', file: [repo, STATIC_DIR, name], contentType: type };
  }
  if (area === PROJECT_DIR && name !== undefined) {
    if (!PROJECT_SEGMENT.test(name)) return { kind: 'not-found' };
    const normalized = normalizeName(name);
    if (rest.length === 0) {
      if (normalized !== name) return { kind: 'redirect', location: `${trailingSlash ? '../' : ''}${normalized}/` };
      return trailingSlash ? { kind: 'file', file: [repo, 'simple', name, 'project.html'], contentType: HTML_CONTENT_TYPE } : { kind: 'redirect', location: `${name}/` };
    }
    if (rest.length === 1 && !trailingSlash && rest[0]!.endsWith('.whl.html')) {
      if (normalized !== name) return { kind: 'redirect', location: `../${normalized}/${encodeURIComponent(rest[0]!)}` };
      return { kind: 'file', file: [repo, PROJECT_DIR, name, rest[0]!], contentType: HTML_CONTENT_TYPE };
    }
    return { kind: 'not-found' };
  }
  return undefined;
}

/** Where the browser's jump form leads for the name `q`: the project's page, by its normalised name. */
export function goLocation(q: string | null): string {
  const name = (q ?? '').trim();
  return PROJECT_SEGMENT.test(name) ? `${PROJECT_DIR}/${normalizeName(name)}/` : './';
}

function staticPage(file: string[]): Route {
  const json = file[file.length - 1] === 'index.json';
  return { kind: 'file', file, contentType: json ? SIMPLE_JSON : `${LEGACY_HTML}; charset=utf-8` };
}
