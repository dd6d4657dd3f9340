import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SIMPLE_HTML, SIMPLE_JSON } from '../index/content-types.js';
import { negotiateSimple } from '../index/negotiate.js';
import { listRepositories } from '../repository/list-repositories.js';
import { renderRepositoriesPage } from '../web/browse/render-repositories.js';
import { pinoAccessLogger, type AccessLogger } from './access-log.js';
import { goLocation, HTML_CONTENT_TYPE, routeRequest } from './route-request.js';

export interface ServeOptions {
  /** Repository root: serves `<root>/<repo>/simple/`, `packages/`, `pypi/` of every repository. */
  readonly root: string;
  /** TCP port; 0 picks a free one (see `url`). Default 8080. */
  readonly port?: number;
  /** Address to bind. Default `127.0.0.1`; use `0.0.0.0` to serve other machines. */
  readonly host?: string;
  /** Access log sink; default: pino JSON lines on stdout. */
  readonly accessLog?: AccessLogger;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080/`; pip's index is `<url><repo>/simple/`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void>;
}

/**
 * `farm serve`: an HTTP server for the repository root, enough for pip with
 * no other web server.
 *
 * - PEP 691 content negotiation on `Accept` (q-values, wildcards, the
 *   `latest` alias, the `?format=` parameter) between
 *   `application/vnd.pypi.simple.v1+json`, `…v1+html` and `text/html`, with
 *   the matching `Content-Type` and `Vary: Accept`; 406 when none is acceptable;
 * - 301 from non-normalised project names to the PEP 503 normalised URL;
 * - strong `ETag` and `Last-Modified`, `If-None-Match`/`If-Modified-Since` → 304;
 * - GET and HEAD (others: 405);
 * - wheels, their PEP 658 `.metadata` files and the legacy `pypi/<name>/json`;
 * - nothing outside the root, nothing hidden (`.farm/`, temp files), nothing
 *   through a symlink below the root;
 * - one access-log entry per request, including the `Accept` asked for and
 *   the `Content-Type` served.
 *
 * Files are opened before they are stat'ed and streamed from the open
 * descriptor, so a regeneration replacing a page mid-request can't mix two
 * versions in one response.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = path.resolve(options.root);
  const realRoot = fs.realpathSync(root);
  const log = options.accessLog ?? pinoAccessLogger();
  const server = http.createServer((req, res) => {
    const started = performance.now();
    let bytes = 0;
    handle(req, res, root, realRoot, (n) => (bytes = n))
      .catch(() => {
        if (!res.headersSent) {
          plain(res, 500, 'internal error\n');
        } else {
          res.destroy();
        }
      })
      .finally(() => {
        const contentType = res.getHeader('content-type');
        log({
          time: new Date().toISOString(),
          method: req.method ?? '',
          url: req.url ?? '',
          status: res.statusCode,
          accept: req.headers.accept ?? null,
          contentType: typeof contentType === 'string' ? contentType : null,
          bytes,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          remote: req.socket.remoteAddress ?? null,
          userAgent: req.headers['user-agent'] ?? null,
        });
      });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  root: string,
  realRoot: string,
  setBytes: (n: number) => void,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    return plain(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  }
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  const route = routeRequest(rawPath);

  switch (route.kind) {
    case 'bad-request':
      return plain(res, 400, `${route.reason}\n`);
    case 'not-found':
      return plain(res, 404, 'not found\n');
    case 'redirect': {
      const location = queryAt === -1 ? route.location : `${route.location}?${query.toString()}`;
      return plain(res, 301, `moved to ${location}\n`, { Location: location });
    }
    case 'go': {
      const location = goLocation(query.get('q'));
      return plain(res, 302, `see ${location}\n`, { Location: location });
    }
    case 'listing':
      return sendListing(res, method, root, setBytes);
    case 'file':
      return sendFile(req, res, method, realRoot, route.file, route.contentType, false, setBytes);
    case 'negotiated': {
      const chosen = negotiateSimple(req.headers.accept, query.get('format'));
      if (chosen === null) {
        return plain(
          res,
          406,
          `not acceptable; this index serves ${SIMPLE_JSON}, ${SIMPLE_HTML} and text/html\n`,
          { Vary: 'Accept' },
        );
      }
      const file = [...route.dir, chosen === SIMPLE_JSON ? 'index.json' : 'index.html'];
      const contentType = chosen === SIMPLE_JSON ? SIMPLE_JSON : chosen === SIMPLE_HTML ? SIMPLE_HTML : HTML_CONTENT_TYPE;
      return sendFile(req, res, method, realRoot, file, contentType, true, setBytes);
    }
  }
}

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  method: string,
  realRoot: string,
  segments: readonly string[],
  contentType: string,
  negotiated: boolean,
  setBytes: (n: number) => void,
): Promise<void> {
  const file = path.join(realRoot, ...segments);
  let handle: fs.promises.FileHandle;
  try {
    // Nothing is served through a symlink below the root: a link in
    // packages/ could point outside the tree or at farm's private state.
    // The resolved path must be the literal one, and the open doesn't follow
    // a link swapped in meanwhile.
    if ((await fs.promises.realpath(file)) !== file) return plain(res, 404, 'not found\n');
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return plain(res, 404, 'not found\n');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return plain(res, 404, 'not found\n');
    // The representation is part of the tag: JSON and HTML of one URL differ.
    const variant = negotiated ? (contentType === SIMPLE_JSON ? '-j' : contentType === SIMPLE_HTML ? '-v' : '-h') : '';
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${variant}"`;
    const lastModified = new Date(Math.floor(stat.mtimeMs / 1000) * 1000);
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      ETag: etag,
      'Last-Modified': lastModified.toUTCString(),
      'Cache-Control': segments[1] === 'packages' ? 'public, max-age=3600' : 'no-cache',
    };
    if (negotiated) headers.Vary = 'Accept';
    if (notModified(req, etag, lastModified)) {
      writeHead(res, 304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = String(stat.size);
    writeHead(res, 200, headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    setBytes(stat.size);
    await pipeline(handle.createReadStream({ autoClose: false }), res);
  } finally {
    await handle.close();
  }
}

/** RFC 9110 §13.1: If-None-Match wins over If-Modified-Since. */
function notModified(req: http.IncomingMessage, etag: string, lastModified: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    return inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && lastModified.getTime() <= since;
  }
  return false;
}

function sendListing(res: http.ServerResponse, method: string, root: string, setBytes: (n: number) => void): void {
  const body = renderRepositoriesPage(listRepositories(root));
  writeHead(res, 200, {
    'Content-Type': HTML_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-cache',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  setBytes(Buffer.byteLength(body));
  res.end(body);
}

function plain(res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  writeHead(res, status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
  });
  res.end(body);
}

/** Headers set one by one so the access log can read them back with `getHeader`. */
function writeHead(res: http.ServerResponse, status: number, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(status);
}
