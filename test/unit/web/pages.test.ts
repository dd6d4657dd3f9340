import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectView } from '../../../src/index/project-view.js';
import type { PackageRow, RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import type { BrowserFile } from '../../../src/web/browse/project-matrix.js';
import { renderHomePage } from '../../../src/web/browse/render-home.js';
import { renderProjectPage } from '../../../src/web/browse/render-project-page.js';
import { renderRepositoriesPage } from '../../../src/web/browse/render-repositories.js';
import { repositoryTargets } from '../../../src/web/browse/project-matrix.js';
import { renderRequestPage, rowCells } from '../../../src/web/builds/render-request.js';
import { renderRequestsPage } from '../../../src/web/builds/render-requests.js';
import { renderSetsPage } from '../../../src/web/builds/render-sets.js';
import { indexFile } from '../index/fixtures.js';

const AT = '2026-12-02T10:00:00.000Z';
const row: PackageRow = { name: 'demo', version: '1.0', target: 'glibc-x86_64', python: '3.11', state: 'built', durationMs: 1200, logPath: '/l', wheel: 'demo-1.0-py3-none-any.whl' };
const status: RequestStatus = {
  id: 'req-1',
  state: 'building',
  origin: 'cli',
  metadata: {},
  targets: ['glibc-x86_64'],
  python: ['3.11'],
  indexUrl: 'http://upstream/simple/',
  requirementFiles: ['requirements.txt'],
  createdAt: AT,
  updatedAt: AT,
  rows: [row],
  indexedRepositories: [],
  resolveLogs: {},
};
const file: BrowserFile = { ...indexFile({ filename: 'demo-1.0-py3-none-any.whl', version: '1.0' }), build: { recipeHash: `sha256:${'a'.repeat(64)}`, requestId: 'req-1', target: 'glibc-x86_64', python: '3.11' } };
const view = projectView({ project: 'demo', name: 'Demo', files: [file] });

const pipLines = (page: string): number => page.split('<pre><code>pip install --extra-index-url ').length - 1;

/** The `<td>`s of every table that turns into cards on a phone. */
function cardCells(page: string): string[] {
  const tables = [...page.matchAll(/<table[^>]*class="[^"]*\bcards\b[^"]*"[^>]*>([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
  return tables.flatMap((t) => [...t.matchAll(/<td\b[^>]*>/g)].map((m) => m[0]));
}

describe('tables of records become cards on a phone: every cell names its column', () => {
  it("project page: the stylesheet names the files table's columns (a full regeneration writes no label per cell)", () => {
    const page = renderProjectPage({ repository: 'glibc', view, targets: repositoryTargets('glibc') });
    const table = /<table class="files cards">([\s\S]*?)<\/table>/.exec(page)![1]!;
    const headers = [...table.matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g)].map((m) => m[1]!);
    const css = readFileSync(new URL('../../../web/farm.css', import.meta.url), 'utf8');
    const labels = new Map([...css.matchAll(/table\.files\.cards td:nth-of-type\((\d+)\)::before \{ content: "([^"]+)"; \}/g)].map((m) => [Number(m[1]), m[2]!]));
    const row = /<tbody>\n(<tr>[\s\S]*?<\/tr>)/.exec(table)![1]!;
    const cells = [...row.matchAll(/<td\b/g)].length;
    expect(cells).toBe(headers.length - 1);
    for (let n = 1; n <= cells; n++) expect(labels.get(n), `td ${n}`).toBe(headers[n]);
  });

  it.each([
    ['request page', renderRequestPage({ status, csrf: 'c' })],
    ['request rows pushed live', `<table class="cards">${rowCells('req-1', row).value}</table>`],
    ['requests page', renderRequestsPage([{ id: 'req-1', state: 'done', origin: 'cli', targets: ['glibc-x86_64'], createdAt: AT, counts: { built: 1 } }])],
    ['tracked sets page', renderSetsPage([{ set: { name: 'nightly', source: { kind: 'file', path: 'r.txt' }, targets: ['glibc-x86_64'] } as never }])],
  ])('%s', (_name, page) => {
    const cells = cardCells(page);
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) expect(cell).toMatch(/ data-label="[^"]+"/);
  });
});

describe('pages', () => {
  it('the matrix is described outside its scrolling region, so the text wraps on a phone', () => {
    const page = renderProjectPage({ repository: 'glibc', view, targets: repositoryTargets('glibc') });
    expect(page).toContain('<table class="matrix" aria-labelledby="matrix-title" aria-describedby="matrix-help">');
    expect(page).not.toContain('<caption');
  });

  it('the home page shows one block per pip command', () => {
    const page = renderHomePage({ repository: 'glibc', projects: 0, wheels: 0, chunks: [] });
    expect(pipLines(page)).toBe(2);
  });

  it.each([
    [[], 0, false],
    [['glibc', 'musl'], 2, true],
  ] as const)('the repositories page for %j: a pip line each, styled once something is published', (repos, lines, styled) => {
    const page = renderRepositoriesPage(repos);
    expect(pipLines(page)).toBe(lines);
    expect(page.includes('<link rel="stylesheet" href="glibc/static/farm.css">')).toBe(styled);
    for (const repo of repos) expect(page).toContain(`<a href="${repo}/">${repo}</a>`);
  });

  it('escapes repository names', () => {
    expect(renderRepositoriesPage(['a<b'])).toContain('a&lt;b');
  });
});
