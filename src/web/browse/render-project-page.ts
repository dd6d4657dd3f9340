/**
 * A project's page in the repository browser (`<repo>/project/<name>/`):
 * the pip line, the versions × targets matrix, and every wheel with its
 * tags, size, upload time, sha256 and provenance. Pure.
 */
import type { ProjectView } from '../../index/project-view.js';
import type { Target } from '../../targets/catalog.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { wheelHref } from './browse-urls.js';
import { projectMatrix, type BrowserFile, type MatrixCell } from './project-matrix.js';
import { renderProvenance } from './render-provenance.js';

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

/** The tag part of a wheel filename: `cp311-cp311-manylinux_2_17_x86_64`. */
export function wheelTags(filename: string): string {
  const parts = filename.replace(/\.whl$/, '').split('-');
  return parts.slice(-3).join('-');
}

function cell(c: MatrixCell) {
  const wheels = c.files.map((f) => html`<br><a href="${wheelHref(f.filename)}" class="mono">${wheelTags(f.filename)}</a>`);
  return html`<td><span class="state state-${c.state}">${c.state}</span>${wheels}</td>`;
}

export interface ProjectPageInput {
  readonly repository: string;
  readonly view: ProjectView & { readonly files: readonly BrowserFile[] };
  readonly targets: readonly Target[];
}

export function renderProjectPage({ repository, view, targets }: ProjectPageInput): string {
  const matrix = projectMatrix(view.files, targets);
  const latest = [...view.files].reverse().find((f) => f.version === view.latestVersion);
  const head = matrix.targets.map((t) => html`<th scope="col">${t}</th>`);
  const rows = matrix.versions.map(
    (version, i) => html`<tr><th scope="row">${version}</th>${matrix.cells[i]!.map(cell)}</tr>\n`,
  );
  const files = [...view.files].reverse().map(
    (f) => html`<section class="wheel">
<h3 id="${f.filename}"><a href="${wheelHref(f.filename)}">${f.filename}</a>${f.yanked ? html` <span class="state state-yanked">yanked</span>` : ''}</h3>
<dl class="facts">
<dt>Version</dt><dd>${f.version}</dd>
<dt>Tags</dt><dd class="mono">${wheelTags(f.filename)}</dd>
<dt>Size</dt><dd>${formatSize(f.size)}</dd>
<dt>Uploaded</dt><dd><time datetime="${f.uploadTime}">${formatTime(f.uploadTime)}</time></dd>
<dt>sha256</dt><dd class="mono">${f.sha256}</dd>
${f.yanked ? html`<dt>Yanked</dt><dd>${f.yankedReason === '' ? 'no reason given' : f.yankedReason}</dd>` : ''}
<dt>Provenance</dt><dd>${renderProvenance(view.project, f)}</dd>
</dl>
<p><a href="../../packages/${encodeURIComponent(f.filename)}">Download ${f.filename}</a></p>
</section>\n`,
  );
  return renderPage({
    title: `${view.name} in ${repository}`,
    stylesheet: '../../static/farm.css',
    nav: [
      { href: '../../../', label: 'Repositories' },
      { href: '../../', label: repository },
    ],
    scripts: ['../../static/search.js'],
    main: html`<h1>${view.name}</h1>
${latest?.summary ? html`<p class="lede">${latest.summary}</p>` : ''}
<dl class="facts">
<dt>Latest version</dt><dd>${view.latestVersion ?? ''}</dd>
<dt>Requires Python</dt><dd>${latest?.requiresPython ?? 'any'}</dd>
<dt>Wheels</dt><dd>${view.files.length}</dd>
</dl>
<h2>Install</h2>
<pre><code>pip install --extra-index-url <span class="origin">http://&lt;this host&gt;</span>/${repository}/simple/ ${view.project}</code></pre>
<h2>Versions and targets</h2>
<div class="table-wrap"><table class="matrix">
<caption class="muted">Which wheel serves each version on each target: built, mirrored, added, yanked or missing</caption>
<thead><tr><th scope="col">Version</th>${head}</tr></thead>
<tbody>
${rows}</tbody>
</table></div>
<h2>Files</h2>
${files}`,
  });
}
