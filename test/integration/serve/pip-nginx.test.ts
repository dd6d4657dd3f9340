import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPipFixture, makePipInstaller, requirementsFromIndex, type PipInstaller } from './support/pip.js';
import { startNginx, type RunningNginx } from './support/nginx.js';

let tmp: string;
let root: string;
let nginx: RunningNginx;
let installer: PipInstaller;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-nginx-'));
  root = path.join(tmp, 'root');
  await buildPipFixture(root, path.join(tmp, 'work'));
  // Issue 14, point 4: links in packages/ to farm's private state and to a file outside the root.
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the root');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'glibc', 'packages', 'link-1.0-py3-none-any.whl'));
  fs.symlinkSync(path.join(root, 'glibc', '.farm', 'inventory', 'farm-lib.json'), path.join(root, 'glibc', 'packages', 'state-1.0-py3-none-any.whl'));
  nginx = await startNginx(path.join(tmp, 'nginx'), root);
  installer = await makePipInstaller(path.join(tmp, 'venv'));
});

afterAll(async () => {
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A raw request (no redirect following, raw path kept). */
function request(pathname: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(`${nginx.url.slice(0, -1)}${pathname}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the shipped nginx config (Debian nginx-light)', () => {
  it('pip installs with --require-hashes over the negotiated JSON API', async () => {
    const index = `${nginx.url}glibc/simple/`;
    const requirements = path.join(tmp, 'requirements.txt');
    await requirementsFromIndex(index, [['farm-app', '1.0'], ['farm-lib', '1.1']], requirements);
    const output = await installer.pip(['install', '--no-cache-dir', '--index-url', index, '--require-hashes', '-r', requirements]);
    expect(output).toContain('Successfully installed farm-app-1.0 farm-lib-1.1');

    const lines = fs.readFileSync(nginx.accessLog, 'utf8').split('\n');
    for (const project of ['farm-app', 'farm-lib']) {
      const pipLine = lines.find(
        (l) => l.startsWith(`GET /glibc/simple/${project}/ 200 accept="application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1`),
      );
      expect(pipLine, lines.join('\n')).toBeDefined();
      expect(pipLine).toContain('type="application/vnd.pypi.simple.v1+json"');
    }
  });

  const JSON_T = 'application/vnd.pypi.simple.v1+json';
  const V1HTML = 'application/vnd.pypi.simple.v1+html';
  const cases: { path: string; accept?: string; status: number; type?: RegExp; location?: string }[] = [
    { path: '/glibc/simple/farm-lib/', accept: JSON_T, status: 200, type: /^application\/vnd\.pypi\.simple\.v1\+json$/ },
    { path: '/glibc/simple/farm-lib/', accept: V1HTML, status: 200, type: /^application\/vnd\.pypi\.simple\.v1\+html/ },
    { path: '/glibc/simple/farm-lib/', accept: 'text/html', status: 200, type: /^text\/html/ },
    { path: '/glibc/simple/farm-lib/', status: 200, type: /^text\/html/ },
    { path: '/glibc/simple/farm-lib/', accept: `${JSON_T};q=0, text/html`, status: 200, type: /^text\/html/ },
    { path: '/glibc/simple/', accept: JSON_T, status: 200, type: /^application\/vnd\.pypi\.simple\.v1\+json$/ },
    { path: '/glibc/simple/Farm_Lib/', status: 301, location: '/glibc/simple/farm-lib/' },
    { path: '/glibc/simple/FARM.LIB', status: 301, location: '/glibc/simple/farm-lib/' },
    { path: '/glibc/simple/farm-lib', status: 301, location: '/glibc/simple/farm-lib/' },
    { path: '/glibc/simple', status: 301, location: '/glibc/simple/' },
    { path: '/glibc/pypi/Farm_Lib/json', status: 301, location: '/glibc/pypi/farm-lib/json' },
    { path: '/glibc/pypi/farm-lib/json', status: 200, type: /^application\/json$/ },
    { path: '/glibc/packages/farm_lib-1.1-py3-none-any.whl.metadata', status: 200, type: /^text\/plain/ },
    { path: '/glibc/packages/farm_lib-1.1-py3-none-any.whl', status: 200, type: /^application\/octet-stream$/ },
    { path: '/glibc/', status: 200, type: /^text\/html/ },
    { path: '/glibc/.farm/inventory/farm-lib.json', status: 404 },
    { path: '/glibc/.farm/lock', status: 404 },
    { path: '/glibc/simple/farm-lib/index.v1html', status: 404 },
    { path: '/glibc/packages/../.farm/scan-state.json', status: 404 },
    // Issue 14, point 4: `disable_symlinks on` (the legacy JSON no longer needs the pypi -> simple link).
    { path: '/glibc/packages/state-1.0-py3-none-any.whl', status: 404 },
    { path: '/glibc/packages/link-1.0-py3-none-any.whl', status: 404 },
  ];
  it.each(cases)('$path [$accept] → $status', async ({ path: p, accept, status, type, location }) => {
    const res = await request(p, accept === undefined ? {} : { Accept: accept });
    expect(res.status).toBe(status);
    if (type) expect(res.headers['content-type']).toMatch(type);
    if (location) expect(res.headers.location).toBe(location);
    if (p.endsWith('/simple/farm-lib/')) expect(res.headers.vary).toBe('Accept');
  });

  it('a long non-normalised name reaches the normalised URL through redirects', async () => {
    let p = '/glibc/simple/FaRm__--..LiB/';
    for (let hops = 0; hops < 5 && p !== '/glibc/simple/farm-lib/'; hops++) {
      const res = await request(p);
      expect(res.status).toBe(301);
      p = res.headers.location!;
    }
    expect(p).toBe('/glibc/simple/farm-lib/');
  });

  it('conditional GET and HEAD', async () => {
    const first = await request('/glibc/simple/farm-lib/', { Accept: JSON_T });
    expect(first.headers.etag).toBeDefined();
    expect(first.headers['last-modified']).toBeDefined();
    const again = await request('/glibc/simple/farm-lib/', { Accept: JSON_T, 'If-None-Match': first.headers.etag! });
    expect(again.status).toBe(304);
    const head = await request('/glibc/simple/farm-lib/', { Accept: JSON_T }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(first.body)));
  });
});
