import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import type { AccessLogEntry } from '../../../src/serve/access-log.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { buildPipFixture } from './support/pip.js';

let tmp: string;
let root: string;
let server: RunningServer;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-serve-http-'));
  root = path.join(tmp, 'root');
  await buildPipFixture(root, path.join(tmp, 'work'));
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the root');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'glibc', 'packages', 'link-1.0-py3-none-any.whl'));
  // Issue 14, point 4: a link that stays inside the root but points at farm's private state.
  fs.symlinkSync(path.join(root, 'glibc', '.farm', 'inventory', 'farm-lib.json'), path.join(root, 'glibc', 'packages', 'state-1.0-py3-none-any.whl'));
  fs.symlinkSync('../.farm/inventory/farm-lib.json', path.join(root, 'glibc', 'packages', 'relative-1.0-py3-none-any.whl'));
  server = await startServer({ root, port: 0, accessLog: (e) => log.push(e) });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire exactly as given. */
function request(rawPath: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const JSON_T = 'application/vnd.pypi.simple.v1+json';
const V1HTML = 'application/vnd.pypi.simple.v1+html';
const PIP = `${JSON_T}, ${V1HTML}; q=0.1, text/html; q=0.01`;

describe('farm serve', () => {
  // Issue 14, point 4: nothing is served through a symlink, least of all farm's state.
  it.each(['state', 'relative', 'link'])('a symlink in packages/ (%s) is not served', async (name) => {
    const res = await request(`/glibc/packages/${name}-1.0-py3-none-any.whl`);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('farm-lib');
  });

  const cases: { path: string; accept?: string; status: number; type?: string; location?: string; body?: RegExp }[] = [
    // PEP 691 negotiation
    { path: '/glibc/simple/farm-lib/', accept: PIP, status: 200, type: JSON_T, body: /"api-version":"1.1"/ },
    { path: '/glibc/simple/farm-lib/', accept: V1HTML, status: 200, type: V1HTML, body: /data-core-metadata/ },
    { path: '/glibc/simple/farm-lib/', accept: 'text/html', status: 200, type: 'text/html; charset=utf-8' },
    { path: '/glibc/simple/farm-lib/', status: 200, type: 'text/html; charset=utf-8' },
    { path: '/glibc/simple/farm-lib/', accept: 'application/vnd.pypi.simple.latest+json', status: 200, type: JSON_T },
    { path: '/glibc/simple/farm-lib/', accept: `text/html, ${JSON_T};q=0.5`, status: 200, type: 'text/html; charset=utf-8' },
    { path: '/glibc/simple/farm-lib/', accept: 'application/xml', status: 406 },
    { path: `/glibc/simple/farm-lib/?format=${encodeURIComponent(JSON_T)}`, accept: 'text/html', status: 200, type: JSON_T },
    // Issue 14, point 15: a literal `+` in the query (decoded as a space by form rules) means `+`.
    { path: `/glibc/simple/farm-lib/?format=${JSON_T}`, accept: 'text/html', status: 200, type: JSON_T },
    { path: `/glibc/simple/farm-lib/?format=${V1HTML}`, accept: JSON_T, status: 200, type: V1HTML },
    { path: '/glibc/simple/', accept: PIP, status: 200, type: JSON_T, body: /"projects":\[\{"name":"farm_app"\}/ },
    { path: '/glibc/simple/', accept: 'text/html', status: 200, body: /<a href="farm-lib\/">Farm_Lib<\/a>/ },
    { path: '/glibc/simple/index.json', status: 200, type: JSON_T },
    // PEP 503 normalisation redirects (relative Location)
    { path: '/glibc/simple/Farm_Lib/', status: 301, location: '../farm-lib/' },
    { path: '/glibc/simple/FARM.lib', status: 301, location: 'farm-lib/' },
    { path: '/glibc/simple/farm-lib', status: 301, location: 'farm-lib/' },
    { path: '/glibc/simple', status: 301, location: 'simple/' },
    { path: '/glibc/simple/Farm_Lib/?x=1', status: 301, location: '../farm-lib/?x=1' },
    { path: '/glibc', status: 301, location: 'glibc/' },
    { path: '/glibc/pypi/Farm_Lib/json', status: 301, location: '../farm-lib/json' },
    { path: '/glibc/simple/no-such-project/', status: 404 },
    // other files
    { path: '/glibc/pypi/farm-lib/json', status: 200, type: 'application/json', body: /"releases"/ },
    { path: '/glibc/packages/farm_lib-1.1-py3-none-any.whl.metadata', status: 200, type: 'text/plain; charset=utf-8', body: /^Metadata-Version: 2.1\nName: Farm_Lib\nVersion: 1.1/ },
    { path: '/glibc/packages/farm_lib-1.1-py3-none-any.whl', status: 200, type: 'application/octet-stream' },
    { path: '/glibc/', status: 200, type: 'text/html; charset=utf-8', body: /<h1>Repository glibc<\/h1>/ },
    { path: '/', status: 200, body: /<a href="glibc\/">glibc<\/a>/ },
    // nothing hidden, nothing outside
    { path: '/glibc/.farm/inventory/farm-lib.json', status: 404 },
    { path: '/glibc/.farm/lock', status: 404 },
    { path: '/glibc/%2efarm/scan-state.json', status: 404 },
    { path: '/glibc/packages/../../secret.txt', status: 400 },
    { path: '/glibc/packages/%2e%2e/%2e%2e/secret.txt', status: 400 },
    { path: '/glibc/packages/..%2f..%2fsecret.txt', status: 400 },
    { path: '/glibc/packages/..%5c..%5csecret.txt', status: 400 },
    { path: '/glibc/packages/x%00.whl', status: 400 },
    { path: '/glibc/packages/link-1.0-py3-none-any.whl', status: 404 },
    { path: '/glibc/packages/%zz', status: 400 },
  ];
  it.each(cases)('$path [$accept] → $status', async ({ path: p, accept, status, type, location, body }) => {
    const res = await request(p, accept === undefined ? {} : { Accept: accept });
    expect(res.status).toBe(status);
    if (type) expect(res.headers['content-type']).toBe(type);
    if (location) expect(res.headers.location).toBe(location);
    if (body) expect(res.body).toMatch(body);
    if (status === 200 && p.startsWith('/glibc/simple/farm-lib/')) expect(res.headers.vary).toBe('Accept');
    expect(res.body).not.toContain('outside the root');
  });

  it('ETag differs per representation; If-None-Match and If-Modified-Since give 304', async () => {
    const json = await request('/glibc/simple/farm-lib/', { Accept: JSON_T });
    const html = await request('/glibc/simple/farm-lib/', { Accept: 'text/html' });
    expect(json.headers.etag).toBeDefined();
    expect(json.headers.etag).not.toBe(html.headers.etag);
    const notModified = await request('/glibc/simple/farm-lib/', { Accept: JSON_T, 'If-None-Match': json.headers.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers['content-type']).toBe(JSON_T);
    // The HTML validator does not validate the JSON representation.
    expect((await request('/glibc/simple/farm-lib/', { Accept: JSON_T, 'If-None-Match': html.headers.etag! })).status).toBe(200);
    const since = await request('/glibc/simple/farm-lib/', { Accept: JSON_T, 'If-Modified-Since': json.headers['last-modified']! });
    expect(since.status).toBe(304);
    expect((await request('/glibc/simple/farm-lib/', { Accept: JSON_T, 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });

  it('a regeneration changes the ETag', async () => {
    const before = await request('/glibc/simple/farm-lib/', { Accept: JSON_T });
    await new Promise((r) => setTimeout(r, 20));
    fs.rmSync(path.join(root, 'glibc', 'simple', 'farm-lib', 'index.json'));
    await regenerateIndex({ root, repository: 'glibc', full: true });
    const after = await request('/glibc/simple/farm-lib/', { Accept: JSON_T });
    expect(after.body).toBe(before.body);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('HEAD sends headers only; other methods are refused', async () => {
    const get = await request('/glibc/packages/farm_lib-1.1-py3-none-any.whl');
    const head = await request('/glibc/packages/farm_lib-1.1-py3-none-any.whl', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    const post = await request('/glibc/simple/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('logs the Accept asked for and the Content-Type served', async () => {
    await request('/glibc/simple/farm-app/', { Accept: PIP, 'User-Agent': 'pip/99' });
    // The entry is written when the response has finished, possibly just after the client saw it.
    let entries: AccessLogEntry[] = [];
    for (let i = 0; i < 50 && entries.length === 0; i++) {
      entries = log.filter((e) => e.userAgent === 'pip/99');
      if (entries.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(entries).toMatchObject([{ method: 'GET', url: '/glibc/simple/farm-app/', status: 200, accept: PIP, contentType: JSON_T }]);
    expect(entries[0]!.bytes).toBeGreaterThan(0);
  });
});
