/**
 * A small static HTTP server for test indexes, bound to 127.0.0.1 (or the
 * given address, like the Docker bridge's 172.17.0.1) on a free port.
 * Containers reach 127.0.0.1 with `network: host`. Directory URLs serve their
 * `index.html`; project pages are looked up by normalised name, as pip asks
 * for `/simple/<normalised>/`. Records every request path for assertions.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A fault to answer a request with instead of the file: an HTTP status, or a reset connection. */
export type ServedFault = number | 'reset';

export interface StaticServerOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Decides per request path whether to fail it (transient index trouble in tests). */
  fault?: (urlPath: string) => ServedFault | undefined;
}

export interface StaticServer {
  /** `http://<host>:<port>` (no trailing slash). */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.whl': 'application/zip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.metadata': 'text/plain; charset=utf-8',
};

/** Serves `root` until `close()`. */
export async function serveStatic(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const host = options.host ?? '127.0.0.1';
  const base = path.resolve(root);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(urlPath);
      const fault = options.fault?.(urlPath);
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault !== undefined) {
        res.writeHead(fault, { 'Content-Type': 'text/plain' }).end(`injected fault ${fault}\n`);
        return;
      }
      const parts = urlPath.split('/').filter((p) => p !== '');
      if (parts.some((p) => p === '..' || p.includes('\0'))) {
        res.writeHead(400).end();
        return;
      }
      if (parts[0] === 'simple' && parts.length >= 2) parts[1] = parts[1]!.replace(/[-_.]+/g, '-').toLowerCase();
      let file = path.join(base, ...parts);
      try {
        let info = await stat(file);
        if (info.isDirectory()) {
          if (!urlPath.endsWith('/')) {
            res.writeHead(301, { Location: `${urlPath}/` }).end();
            return;
          }
          file = path.join(file, 'index.html');
          info = await stat(file);
        }
        res.writeHead(200, {
          'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Content-Length': info.size,
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      } catch {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
