/**
 * The repository browser in a real browser (Debian's chromium through
 * playwright-core), served by `farm serve`, and the same files through the
 * shipped nginx config:
 * - search finds a project among 20,000 in under a second (figure printed);
 * - the project page's versions × targets matrix shows built, mirrored,
 *   added, yanked and missing for a repository filled through farm;
 * - a wheel page lists the files inside the wheel;
 * - without JavaScript, the jump form and the browse pages still work;
 * - axe-core finds no serious or critical violation, on a desktop and a phone;
 * - screenshots of each page are kept for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { yank } from '../../../src/publishing/yank.js';
import { collectWheel } from '../../../src/repository/add-wheels.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { launchBrowser, PHONE, runAxe, screenshot, serious, sidewaysScroll } from '../../support/browser.js';
import { writeSyntheticInventory } from '../../support/synthetic-inventory.js';
import { writeWheel } from '../repository/support/make-wheel.js';
import { startNginx, type RunningNginx } from '../serve/support/nginx.js';

const PROJECTS = 20_000;
const RECIPE = `sha256:${'c'.repeat(64)}`;

let base: string;
/** The 20,000-project tree: scratch, on tmpfs where there is one (deleting its 100,000 files from this machine's disk, mounted with `discard`, took minutes). */
let bigBase: string;
let bigServer: RunningServer;
let smallServer: RunningServer;
let nginx: RunningNginx | undefined;
let browser: Browser;

/** The small repository, filled through farm: every state of the matrix. */
async function fillSmallRepository(root: string): Promise<void> {
  const incoming = path.join(base, 'incoming');
  const repository = 'glibc';
  // 2.0: built for x86_64 (farm's provenance), mirrored for aarch64; armv7 missing.
  await collectWheel({
    root,
    repository,
    file: writeWheel(incoming, { name: 'Web_Demo', version: '2.0', tag: 'cp311-cp311-manylinux_2_28_x86_64', summary: 'A demo for the browser', requiresDist: ['requests>=2', 'attrs; extra == "dev"'] }),
    build: { recipeHash: RECIPE, image: 'farm/builder-glibc-x86_64:bootstrap-py3.11', requestId: 'req-123', target: 'glibc-x86_64', python: '3.11' },
  });
  await collectWheel({
    root,
    repository,
    file: writeWheel(incoming, { name: 'Web_Demo', version: '2.0', tag: 'cp311-cp311-manylinux_2_17_aarch64' }),
    mirror: { url: 'https://files.example.org/Web_Demo-2.0-cp311-cp311-manylinux_2_17_aarch64.whl' },
  });
  // 1.0: a pure wheel added by hand (every target); 0.9: yanked.
  await addWheels({ root, repository, paths: [writeWheel(incoming, { name: 'Web_Demo', version: '1.0', requiresPython: '>=3.8' })], index: false });
  await addWheels({ root, repository, paths: [writeWheel(incoming, { name: 'Web_Demo', version: '0.9' })], index: false });
  await yank({ root, repository, project: 'web-demo', version: '0.9', reason: 'broken on Python 3.12', index: false });
  await addWheels({ root, repository, paths: [writeWheel(incoming, { name: 'other_tool', version: '0.1' })], index: false });
  const result = await regenerateIndex({ root, repository });
  expect(result.problems).toEqual([]);
}

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-web-browse-'));
  bigBase = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'farm-web-browse-big-'));
  const bigRoot = path.join(bigBase, 'big');
  const setup = performance.now();
  writeSyntheticInventory(bigRoot, 'glibc', PROJECTS, 5);
  console.log(`setup: synthetic inventory of ${PROJECTS} projects in ${(performance.now() - setup).toFixed(0)} ms`);
  const started = performance.now();
  const big = await regenerateIndex({ root: bigRoot, repository: 'glibc', full: true });
  console.log(`full regeneration of ${big.projects} projects with the browser pages: ${(performance.now() - started).toFixed(0)} ms`);
  const smallRoot = path.join(base, 'small');
  await fillSmallRepository(smallRoot);
  bigServer = await startServer({ root: bigRoot, port: 0, accessLog: () => {} });
  smallServer = await startServer({ root: smallRoot, port: 0, accessLog: () => {} });
  browser = await launchBrowser();
  console.log(`setup: ${(performance.now() - setup).toFixed(0)} ms in all`);
}, 10 * 60_000);

afterAll(async () => {
  const started = performance.now();
  await browser?.close();
  await bigServer?.close();
  await smallServer?.close();
  await nginx?.stop();
  const removing = performance.now();
  for (const dir of [base, bigBase]) if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`teardown: ${(performance.now() - started).toFixed(0)} ms (removing the trees: ${(performance.now() - removing).toFixed(0)} ms)`);
});

async function open(url: string, options: { phone?: boolean; javaScript?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.phone === true ? PHONE : { width: 1280, height: 900 },
    javaScriptEnabled: options.javaScript !== false,
    ...(options.phone === true ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(200);
  return page;
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await runAxe(page);
  if (violations.length > 0) console.log(`axe on ${what}: ${violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  expect(serious(violations), what).toEqual([]);
}

describe('the repository browser', () => {
  it(`finds a project by search among ${PROJECTS} projects in under a second`, async () => {
    const page = await open(`${bigServer.url}glibc/`);
    const homeBytes = Buffer.byteLength(await page.content());
    expect(homeBytes).toBeLessThan(200_000);
    const query = 'bench-pkg-1234';
    const started = performance.now();
    await page.fill('#q', query);
    const hit = page.locator('#results a', { hasText: 'Bench_Pkg_1234' }).first();
    await hit.waitFor({ state: 'visible', timeout: 5000 });
    const ms = performance.now() - started;
    console.log(`search for "${query}" among ${PROJECTS} projects: first result shown after ${ms.toFixed(0)} ms (home page ${homeBytes} bytes)`);
    expect(ms).toBeLessThan(1000);
    // A second search reuses the index and the loaded chunks.
    const again = performance.now();
    await page.fill('#q', 'bench-pkg-19999');
    await page.locator('#results a', { hasText: 'Bench_Pkg_19999' }).waitFor({ state: 'visible', timeout: 5000 });
    console.log(`second search: ${(performance.now() - again).toFixed(0)} ms`);
    await screenshot(page, 'browse-home-search');
    await hit.count();
    await page.locator('#results a', { hasText: 'Bench_Pkg_19999' }).click();
    await page.waitForURL(/\/glibc\/project\/bench-pkg-19999\/$/);
    await expectAccessible(page, 'a synthetic project page');
  });

  it('works without JavaScript: the jump form opens a project by any spelling, and the ranges list every project', async () => {
    const page = await open(`${bigServer.url}glibc/`, { javaScript: false });
    await page.fill('#q', 'BENCH_PKG.42');
    await Promise.all([page.waitForURL(/\/glibc\/project\/bench-pkg-42\/$/), page.click('button[type=submit]')]);
    expect(await page.locator('h1').textContent()).toBe('Bench_Pkg_42');
    await page.goto(`${bigServer.url}glibc/`);
    const ranges = page.locator('ul.ranges a');
    const count = await ranges.count();
    expect(count).toBeGreaterThan(PROJECTS / 1024);
    await ranges.nth(3).click();
    const rows = await page.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(1024);
    await screenshot(page, 'browse-chunk-page', { fullPage: false });
    // axe runs as a script: check the same page in a context with JavaScript.
    await expectAccessible(await open(page.url()), 'a chunk page');
  });

  it('shows the versions × targets matrix with built, mirrored, added, yanked and missing', async () => {
    const page = await open(`${smallServer.url}glibc/project/web-demo/`);
    expect(await page.locator('h1').textContent()).toBe('Web_Demo');
    const matrix = await page.locator('table.matrix').evaluate((table) => {
      const t = table as unknown as { rows: ArrayLike<{ cells: ArrayLike<{ textContent: string | null; querySelector(s: string): { textContent: string | null } | null }> }> };
      return Array.from(t.rows).map((row) => Array.from(row.cells).map((cell, i) => (i === 0 ? cell.textContent : cell.querySelector('.state')?.textContent ?? cell.textContent)));
    });
    expect(matrix).toEqual([
      ['Version', 'glibc-x86_64', 'glibc-aarch64', 'glibc-armv7'],
      ['2.0', 'built', 'mirrored', 'missing'],
      ['1.0', 'added', 'added', 'added'],
      ['0.9', 'yanked', 'yanked', 'yanked'],
    ]);
    const text = await page.locator('main').textContent();
    expect(text).toContain(RECIPE.slice(0, 19));
    expect(text).toContain('mirrored');
    expect(text).toContain('broken on Python 3.12');
    expect(await page.locator('table.files').getByRole('link', { name: 'log', exact: true }).first().getAttribute('href')).toBe('/admin/requests/req-123/log/web-demo/glibc-x86_64/3.11');
    expect(await page.locator('pre code').first().textContent()).toBe(`pip install --extra-index-url ${smallServer.url.replace(/\/$/, '')}/glibc/simple/ web-demo`);
    await screenshot(page, 'browse-project-desktop');
    await expectAccessible(page, 'the project page');
    const phone = await open(`${smallServer.url}glibc/project/web-demo/`, { phone: true });
    // The files table turns into one card per wheel; only the matrix may scroll sideways.
    expect(await sidewaysScroll(phone, ['[aria-label="Versions and targets"]']), 'wider than a phone').toEqual({});
    expect(await phone.locator('table.files td.mono').first().isVisible()).toBe(true);
    await screenshot(phone, 'browse-project-phone');
    await expectAccessible(phone, 'the project page on a phone');
  });

  it('a wheel page lists the files inside the wheel, from its RECORD, with sizes', async () => {
    const page = await open(`${smallServer.url}glibc/project/web-demo/`);
    await page.locator('table.files a', { hasText: /web_demo-2\.0-cp311-cp311-manylinux_2_28_x86_64\.whl/i }).click();
    await page.waitForURL(/web_demo-2\.0-cp311-cp311-manylinux_2_28_x86_64\.whl\.html$/i);
    // Wheels are published under their canonical (lower-case) names; the files inside keep theirs.
    const files = (await page.locator('main table tbody tr').allTextContents()).map((row) => row.toLowerCase());
    expect(files.some((row) => row.startsWith('web_demo/__init__.py'))).toBe(true);
    expect(files.some((row) => row.startsWith('web_demo-2.0.dist-info/metadata'))).toBe(true);
    expect(files.some((row) => row.startsWith('web_demo-2.0.dist-info/record'))).toBe(true);
    expect(files.find((row) => row.startsWith('web_demo/__init__.py'))).toMatch(/\d+ b$/);
    const text = await page.locator('main').textContent();
    expect(text).toContain('requests>=2');
    expect(text).toContain('A demo for the browser');
    // Provenance in full on the wheel page.
    expect(text).toContain(RECIPE);
    expect(text).toContain('farm/builder-glibc-x86_64:bootstrap-py3.11');
    expect(await page.locator('a', { hasText: 'Build log' }).first().getAttribute('href')).toBe('/admin/requests/req-123/log/web-demo/glibc-x86_64/3.11');
    await screenshot(page, 'browse-wheel-desktop');
    await expectAccessible(page, 'a wheel page');
    const phone = await open(page.url(), { phone: true });
    expect(await sidewaysScroll(phone), 'wider than a phone').toEqual({});
    await screenshot(phone, 'browse-wheel-phone');
    await expectAccessible(phone, 'a wheel page on a phone');
  });

  it('the list of repositories shows each with its pip line', async () => {
    const phone = await open(smallServer.url, { phone: true });
    expect(await phone.locator('h1').textContent()).toBe('Repositories');
    expect(await phone.locator('h2 a[href="glibc/"]').count()).toBe(1);
    expect(await phone.locator('pre code').first().textContent()).toBe(`pip install --extra-index-url ${smallServer.url.replace(/\/$/, '')}/glibc/simple/ <project>`);
    expect(await sidewaysScroll(phone), 'wider than a phone').toEqual({});
    await screenshot(phone, 'browse-repositories-phone');
    await expectAccessible(phone, 'the list of repositories');
  });

  it('the home page is accessible on a phone', async () => {
    const phone = await open(`${smallServer.url}glibc/`, { phone: true });
    await phone.fill('#q', 'web');
    await phone.locator('#results a', { hasText: 'Web_Demo' }).waitFor({ state: 'visible' });
    expect(await sidewaysScroll(phone), 'wider than a phone').toEqual({});
    await screenshot(phone, 'browse-home-phone');
    await expectAccessible(phone, 'the home page on a phone');
  });

  it('the shipped nginx config serves the same pages', async () => {
    nginx = await startNginx(path.join(base, 'nginx'), path.join(base, 'small'));
    const get = (p: string) => fetch(`${nginx!.url}${p}`, { redirect: 'manual' });
    for (const [url, type] of [
      ['glibc/', 'text/html'],
      ['glibc/project/web-demo/', 'text/html'],
      ['glibc/project/web-demo/web_demo-1.0-py3-none-any.whl.html', 'text/html'],
      ['glibc/projects/index.json', 'application/json'],
      ['glibc/static/farm.css', 'text/css'],
      ['glibc/static/search.js', 'text/javascript'],
    ] as const) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toContain(type);
      expect(await res.text(), url).toBe(await (await fetch(`${smallServer.url}${url}`)).text());
    }
    const go = await get('glibc/go?q=Web_Demo');
    expect(go.status).toBe(302);
    const normalised = await get(go.headers.get('location')!.replace(/^\//, ''));
    expect(normalised.status).toBe(301);
    expect(normalised.headers.get('location')).toBe('/glibc/project/web-demo/');
    expect((await get('glibc/project/no-such-project/')).status).toBe(404);
    expect((await get('glibc/.farm/contents/')).status).toBe(404);
    const page = await open(`${nginx.url}glibc/project/web-demo/`);
    await expectAccessible(page, 'the project page through nginx');
  });
});
