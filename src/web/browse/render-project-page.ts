/**
 * A project's page in the repository browser (`<repo>/project/<name>/`):
 * the pip line, the versions × targets matrix, and every wheel with its
 * tags, size, upload time, sha256 and provenance. Pure.
 *
 * Rendered for every project in a full regeneration, so it is built by
 * plain concatenation (like the simple-API renderers) and kept compact:
 * details beyond one table row per wheel (the exact upload time among them)
 * are on the wheel's own page, the files table's column names on a phone
 * come from the stylesheet (not a `data-label` per cell), and the page shell
 * is rendered once per repository.
 */
import { escapeHtml } from '../../index/escape-html.js';
import { wheelTags } from '../../wheels/wheel-filename.js';
import type { ProjectView } from '../../index/project-view.js';
import type { Target } from '../../targets/catalog.js';
import { raw } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import { wheelHref } from './browse-urls.js';
import { projectMatrix, type BrowserFile, type MatrixCell } from './project-matrix.js';
import { buildLogUrl } from './render-provenance.js';

/** A byte count for people: `12.3 kB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** `2024-05-01 12:00 UTC` from an ISO time. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A matrix cell: the state, and the tags of the wheels serving it (the files table links them). */
function cell(c: MatrixCell, tags: ReadonlyMap<BrowserFile, string>): string {
  let out = `<td><span class="state state-${c.state}">${c.state}</span>`;
  for (const f of c.files) out += `<code>${tags.get(f)}</code>`;
  return `${out}</td>`;
}

/** One line of provenance: how the wheel got here, with the build log when known. */
function provenance(project: string, f: BrowserFile): string {
  if (f.build !== undefined) {
    const log = buildLogUrl(project, f.build);
    const recipe = typeof f.build['recipeHash'] === 'string' ? ` <span class="mono">${escapeHtml(f.build['recipeHash'].slice(0, 19))}…</span>` : '';
    return `built${recipe}${log === undefined ? '' : ` · <a href="${escapeHtml(log)}">log</a>`}`;
  }
  if (f.mirror !== undefined) return 'mirrored';
  return f.origin === 'adopted' ? 'adopted' : 'added';
}

export interface ProjectPageInput {
  readonly repository: string;
  readonly view: ProjectView & { readonly files: readonly BrowserFile[] };
  readonly targets: readonly Target[];
}

export function renderProjectPage({ repository, view, targets }: ProjectPageInput): string {
  const matrix = projectMatrix(view.files, targets);
  const repo = escapeHtml(repository);
  const name = escapeHtml(view.name);
  let latest: BrowserFile | undefined;
  for (const f of view.files) if (f.version === view.latestVersion) latest = f;

  const tags = new Map<BrowserFile, string>();
  for (const f of view.files) tags.set(f, escapeHtml(wheelTags(f.filename)));
  let head = '';
  for (const t of matrix.targets) head += `<th scope="col">${escapeHtml(t)}</th>`;
  let rows = '';
  matrix.versions.forEach((version, i) => {
    rows += `<tr><th scope="row">${escapeHtml(version)}</th>${matrix.cells[i]!.map((c) => cell(c, tags)).join('')}</tr>\n`;
  });
  let files = '';
  for (let i = view.files.length - 1; i >= 0; i--) {
    const f = view.files[i]!;
    const yanked = f.yanked ? ` <span class="state state-yanked">yanked</span>${f.yankedReason === '' ? '' : ` ${escapeHtml(f.yankedReason)}`}` : '';
    files +=
      `<tr><th scope="row"><a href="${escapeHtml(wheelHref(f.filename))}">${escapeHtml(f.filename)}</a>${yanked}</th>` +
      `<td class="num">${formatSize(f.size)}</td><td>${formatTime(f.uploadTime)}</td>` +
      `<td class="mono">${f.sha256}</td><td>${provenance(view.project, f)}</td></tr>\n`;
  }
  const summary = latest?.summary ? `<p class="lede">${escapeHtml(latest.summary)}</p>\n` : '';
  const main =
    `<h1>${name}</h1>\n${summary}` +
    `<dl class="facts"><dt>Latest version</dt><dd>${escapeHtml(view.latestVersion ?? '')}</dd>` +
    `<dt>Requires Python</dt><dd>${escapeHtml(latest?.requiresPython ?? 'any')}</dd><dt>Wheels</dt><dd>${view.files.length}</dd></dl>\n` +
    `<h2>Install</h2>\n<pre><code>pip install --extra-index-url <span class="origin">http://&lt;this host&gt;</span>/${repo}/simple/ ${escapeHtml(view.project)}</code></pre>\n` +
    `<h2 id="matrix-title">Versions and targets</h2>\n` +
    `<p id="matrix-help" class="muted">Which wheel serves each version on each target: built, mirrored, added, yanked or missing.</p>\n` +
    scrollRegion(
      'Versions and targets',
      raw(
        `<table class="matrix" aria-labelledby="matrix-title" aria-describedby="matrix-help">\n` +
          `<thead><tr><th scope="col">Version</th>${head}</tr></thead>\n<tbody>\n${rows}</tbody>\n</table>`,
      ),
    ).value +
    `\n<h2>Files</h2>\n` +
    scrollRegion(
      'Files',
      raw(
        `<table class="files cards">\n<thead><tr><th scope="col">Wheel</th><th scope="col" class="num">Size</th><th scope="col">Uploaded</th>` +
          `<th scope="col">sha256</th><th scope="col">Provenance</th></tr></thead>\n<tbody>\n${files}</tbody>\n</table>`,
      ),
    ).value;
  const [beforeTitle, beforeMain, end] = shellOf(repository);
  return `${beforeTitle}${escapeHtml(`${view.name} in ${repository}`)}${beforeMain}${main}${end}`;
}

/**
 * The page shell around a project page's title and `<main>`, rendered once
 * per repository: every project page of a full regeneration shares it.
 */
const shells = new Map<string, readonly [string, string, string]>();
const TITLE = '\u0000title\u0000';
const MAIN = '\u0000main\u0000';

function shellOf(repository: string): readonly [string, string, string] {
  let shell = shells.get(repository);
  if (shell === undefined) {
    const page = renderPage({
      title: TITLE,
      stylesheet: '../../static/farm.css',
      nav: [
        { href: '../../../', label: 'Repositories' },
        { href: '../../', label: repository },
      ],
      scripts: ['../../static/search.js'],
      main: raw(MAIN),
    });
    const [beforeTitle, rest] = page.split(TITLE) as [string, string];
    const [beforeMain, end] = rest.split(MAIN) as [string, string];
    shell = [beforeTitle, beforeMain, end];
    shells.set(repository, shell);
  }
  return shell;
}
