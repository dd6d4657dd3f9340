/**
 * One wheel's page (`<repo>/project/<name>/<wheel>.html`): its core
 * metadata (summary, Requires-Python, Requires-Dist), provenance, and the
 * files inside it from its RECORD, with sizes. Pure.
 */
import { html } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import type { BrowserFile } from './project-matrix.js';
import { wheelTags } from '../../wheels/wheel-filename.js';
import { formatSize, formatTime } from './render-project-page.js';
import { renderProvenance } from './render-provenance.js';
import type { WheelContents } from './wheel-contents.js';

export interface WheelPageInput {
  readonly repository: string;
  /** Normalised project name and display name. */
  readonly project: string;
  readonly name: string;
  readonly file: BrowserFile;
  readonly contents: WheelContents;
}

export function renderWheelPage({ repository, project, name, file, contents }: WheelPageInput): string {
  const total = contents.files.reduce((sum, [, size]) => sum + (size ?? 0), 0);
  const rows = contents.files.map(
    ([path, size]) => html`<tr><td class="mono">${path}</td><td class="num">${size === null ? '' : formatSize(size)}</td></tr>\n`,
  );
  const requires = file.requiresDist.map((r) => html`<li><code>${r}</code></li>`);
  return renderPage({
    title: `${file.filename} in ${repository}`,
    stylesheet: '../../static/farm.css',
    nav: [
      { href: '../../../', label: 'Repositories' },
      { href: '../../', label: repository },
      { href: './', label: name },
    ],
    main: html`<h1>${file.filename}</h1>
${file.summary ? html`<p class="lede">${file.summary}</p>` : ''}
<dl class="facts">
<dt>Project</dt><dd><a href="./">${name}</a></dd>
<dt>Version</dt><dd>${file.version}</dd>
<dt>Tags</dt><dd class="mono">${wheelTags(file.filename)}</dd>
<dt>Size</dt><dd>${formatSize(file.size)}</dd>
<dt>Uploaded</dt><dd><time datetime="${file.uploadTime}">${formatTime(file.uploadTime)}</time></dd>
<dt>sha256</dt><dd class="mono">${file.sha256}</dd>
<dt>Requires Python</dt><dd>${file.requiresPython ?? 'any'}</dd>
${file.yanked ? html`<dt>Yanked</dt><dd><span class="state state-yanked">yanked</span> ${file.yankedReason}</dd>` : ''}
</dl>
<p><a href="../../packages/${encodeURIComponent(file.filename)}">Download</a> · <a href="../../packages/${encodeURIComponent(file.filename)}.metadata">METADATA</a></p>
<h2>Requires</h2>
${requires.length === 0 ? html`<p>No dependencies.</p>` : html`<ul>${requires}</ul>`}
<h2>Provenance</h2>
${renderProvenance(project, file)}
<h2>Files in this wheel</h2>
<p class="muted">${contents.files.length} files, ${formatSize(total)} uncompressed, from the wheel's RECORD.</p>
${scrollRegion('Files in this wheel', html`<table>
<caption class="muted">Path and size of each file</caption>
<thead><tr><th scope="col">Path</th><th scope="col" class="num">Size</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`)}`,
  });
}
