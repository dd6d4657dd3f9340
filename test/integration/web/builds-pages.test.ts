/**
 * The builds pages of `farm api` in a real browser, with a real build: the
 * request page shows its row go from building to built while the build
 * runs (server-sent events, no reload), the log page shows the log growing,
 * retry works from the page, POSTs without the CSRF token are refused, and
 * every page passes axe-core with no serious or critical violation.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { launchBrowser, PHONE, runAxe, screenshot, serious, sidewaysScroll } from '../../support/browser.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { LogCapture } from '../api/helpers.js';
import { requestedRows } from '../../support/request-rows.js';
import { dropPrefix, farmConfig, randomId, removeVolumes } from '../pipeline/helpers.js';

const TOKEN = 'admin-token-web-5e1c';
const id = randomId();
const prefix = `farm-it-web-${id}`;
const volumePrefix = `farm-web-it-${id}-`;

let dir: string;
let upstream: StaticServer;
let engine: Engine;
let api: RunningApi;
let repo: RunningServer;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp('/tmp/farm-web-builds-');
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-slowlog'] });
  upstream = await serveStatic(path.join(dir, 'upstream'));
  await writeFile(path.join(dir, 'requirements.txt'), 'farmfix-slowlog\n');
  const config = farmConfig(dir, `${upstream.url}/simple/`, 'sets:\n  - name: nightly-demo\n    source: { kind: git, url: "https://git.example.org/demo.git", branch: main }\n    targets: [glibc-x86_64]\n    schedule: { cron: "0 3 * * *", tz: UTC }\n');
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, targets: ['glibc-x86_64'] } });
  api = await startApi(config, {
    engine,
    redisUrl: config.redis.url!,
    prefix,
    host: '127.0.0.1',
    port: 0,
    env: { FARM_ADMIN_TOKEN: TOKEN },
    logStream: new LogCapture(),
    triggerWorker: false,
  });
  await mkdir(config.root, { recursive: true });
  repo = await startServer({ root: config.root, port: 0, accessLog: () => {} });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await repo?.close();
  await api?.close();
  await engine?.close();
  await upstream?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A logged-in page (the `?token=` link sets the session cookie and drops the token from the URL). */
async function loggedIn(url: string, phone = false): Promise<Page> {
  const context = await browser.newContext(phone ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const res = await page.goto(`${url}${url.includes('?') ? '&' : '?'}token=${TOKEN}`);
  expect(res?.status()).toBe(200);
  expect(page.url()).not.toContain(TOKEN);
  return page;
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await runAxe(page);
  if (violations.length > 0) console.log(`axe on ${what}: ${violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  expect(serious(violations), what).toEqual([]);
}

const rowState = (page: Page) => page.locator('tr[id^="row-farmfix-slowlog/"] .state').first().textContent({ timeout: 1000 }).catch(() => null);

describe('the builds pages', () => {
  let requestId: string;

  it('a request page shows its row change from building to built while the build runs, and the log grows', async () => {
    requestId = await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] });
    const page = await loggedIn(`${api.url}/admin/requests/${requestId}`);
    // Marks this document: a reload would lose it, so "live" means it survives.
    await page.evaluate(() => ((globalThis as unknown as { farmTestMarker: number }).farmTestMarker = 1));
    const seen: string[] = [];
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
      const state = await rowState(page);
      if (state !== null && seen[seen.length - 1] !== state) seen.push(state);
      if (state === 'building') break;
      await page.waitForTimeout(200);
    }
    expect(seen).toContain('building');
    await screenshot(page, 'builds-request-building');

    // The build log, while the build runs: it grows in the open page.
    const logHref = await page.locator('tr[id^="row-farmfix-slowlog/"] a', { hasText: 'log' }).getAttribute('href');
    const log = await loggedIn(`${api.url}${logHref}`);
    expect(await log.locator('#log-status').textContent()).toContain('Following');
    const lengths: number[] = [(await log.locator('#log').textContent())!.length];
    const logDeadline = Date.now() + 5 * 60_000;
    while (Date.now() < logDeadline && !(await log.locator('#log-status').textContent())!.includes('finished')) {
      await log.waitForTimeout(500);
      lengths.push((await log.locator('#log').textContent())!.length);
    }
    const grew = lengths.filter((n, i) => i > 0 && n > lengths[i - 1]!).length;
    console.log(`log page: ${lengths[0]} characters when opened, ${lengths[lengths.length - 1]} at the end, grew ${grew} times while open`);
    expect(grew).toBeGreaterThan(0);
    expect(lengths[lengths.length - 1]!).toBeGreaterThan(lengths[0]!);
    expect(await log.locator('#log').textContent()).toContain('farmfix-slowlog');
    await screenshot(log, 'builds-log');
    await expectAccessible(log, 'the log page');

    await page.locator('#request-state', { hasText: 'done' }).waitFor({ timeout: 10 * 60_000 });
    const final = await rowState(page);
    if (final !== null && seen[seen.length - 1] !== final) seen.push(final);
    console.log(`row states seen live on the request page: ${seen.join(' → ')}`);
    expect(seen.slice(seen.indexOf('building'))).toEqual(['building', 'built']);
    expect(await page.evaluate(() => (globalThis as unknown as { farmTestMarker?: number }).farmTestMarker)).toBe(1);
    await screenshot(page, 'builds-request-done');
    await expectAccessible(page, 'the request page');

    // The built wheel in the repository browser, with its provenance.
    const project = await browser.newPage();
    await project.goto(`${repo.url}glibc/project/farmfix-slowlog/`);
    expect(await project.locator('table.matrix tbody tr').first().locator('.state').first().textContent()).toBe('built');
    expect(await project.locator('table.files').getByRole('link', { name: 'log', exact: true }).getAttribute('href')).toBe(`/admin/requests/${requestId}/log/farmfix-slowlog/glibc-x86_64/3.11`);
  });

  it('lists recent requests, the tracked sets with their schedules, and links Bull Board', async () => {
    const page = await loggedIn(`${api.url}/admin/`);
    expect(await page.locator(`a[href="/admin/requests/${requestId}"]`).count()).toBe(1);
    expect(await page.locator('nav a[href="/admin/queues"]').count()).toBe(1);
    await screenshot(page, 'builds-requests');
    await expectAccessible(page, 'the requests page');
    await page.click('nav a[href="/admin/sets"]');
    const text = await page.locator('main').textContent();
    expect(text).toContain('nightly-demo');
    expect(text).toContain('0 3 * * *');
    expect(await page.locator('main time').count()).toBeGreaterThan(0);
    await screenshot(page, 'builds-sets');
    await expectAccessible(page, 'the tracked sets page');
    const phone = await loggedIn(`${api.url}/admin/requests/${requestId}`, true);
    expect(await sidewaysScroll(phone), 'wider than a phone').toEqual({});
    await screenshot(phone, 'builds-request-phone');
    const list = await loggedIn(`${api.url}/admin/`, true);
    expect(await sidewaysScroll(list), 'wider than a phone').toEqual({});
    await screenshot(list, 'builds-requests-phone');
    const sets = await loggedIn(`${api.url}/admin/sets`, true);
    expect(await sidewaysScroll(sets), 'wider than a phone').toEqual({});
    await screenshot(sets, 'builds-sets-phone');
    await expectAccessible(sets, 'the tracked sets page on a phone');
    await expectAccessible(phone, 'the request page on a phone');
  });

  it('retries from the page; a POST without the CSRF token is refused', async () => {
    const cookie = (await (await browser.newContext()).request.get(`${api.url}/admin/?token=${TOKEN}`, { maxRedirects: 0 })).headers()['set-cookie']!.split(';')[0]!;
    const forged = await fetch(`${api.url}/admin/requests/${requestId}/retry`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'failed=false', redirect: 'manual' });
    expect(forged.status).toBe(403);
    const page = await loggedIn(`${api.url}/admin/requests/${requestId}`);
    await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/admin/requests/') && !url.pathname.endsWith(requestId)), page.click('button:has-text("Run again")')]);
    const newId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(newId).not.toBe(requestId);
    const status = await engine.wait(newId, { timeoutMs: 10 * 60_000 });
    expect(requestedRows(status).map((r) => r.state)).toEqual(['cached']);
  });

  it('the login page is accessible, and the wrong token is refused', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${api.url}/admin/`);
    expect(res?.status()).toBe(401);
    await page.fill('#token', 'wrong');
    await page.click('button[type=submit]');
    expect(await page.locator('.error').textContent()).toContain('not the admin token');
    await expectAccessible(page, 'the login page');
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${api.url}/admin/`), page.click('button[type=submit]')]);
    expect(await page.locator('h1').textContent()).toBe('Build requests');
  });
});
