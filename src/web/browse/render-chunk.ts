/**
 * One chunk of the project list: an HTML page for browsing and the same
 * entries as JSON for the search script. Pure.
 */
import type { RootEntry } from '../../index/render-root.js';
import { html } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import type { ProjectChunk } from './project-chunks.js';

/** Page of one chunk (`projects/<first>.html`), with links to its neighbours. */
export function renderChunkPage(repository: string, chunk: ProjectChunk, previous: string | null, next: string | null): string {
  const rows = chunk.entries.map(
    (e) => html`<tr><th scope="row"><a href="../project/${e.project}/">${e.name}</a></th><td>${e.latestVersion ?? ''}</td><td class="num">${e.files}</td></tr>\n`,
  );
  const first = chunk.entries[0]!.name;
  const last = chunk.entries[chunk.entries.length - 1]!.name;
  const pager = (where: string) => html`<nav aria-label="Pages, ${where}" class="actions">
${previous === null ? '' : html`<a href="${previous}.html" rel="prev">← Previous page</a>`}
<a href="../">All ranges</a>
${next === null ? '' : html`<a href="${next}.html" rel="next">Next page →</a>`}
</nav>`;
  return renderPage({
    title: `${repository}: ${first} – ${last}`,
    stylesheet: '../static/farm.css',
    nav: [
      { href: '../../', label: 'Repositories' },
      { href: '../', label: repository },
    ],
    main: html`<h1>Projects ${first} – ${last}</h1>
<p class="lede muted">${chunk.entries.length} projects in repository ${repository}.</p>
${pager('top')}
${scrollRegion('Projects', html`<table>
<caption class="muted">Projects, their latest version and number of wheels</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Latest version</th><th scope="col" class="num">Wheels</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`)}
${pager('bottom')}`,
  });
}

/** The chunk as search data (`projects/<first>.json`): `[project, name, latest, wheels]` rows. */
export function renderChunkJson(entries: readonly RootEntry[]): string {
  return `${JSON.stringify({ projects: entries.map((e) => [e.project, e.name, e.latestVersion, e.files]) })}\n`;
}

/** The search index (`projects/index.json`): every chunk's first and last name, in order. */
export function renderSearchManifest(chunks: readonly Pick<ProjectChunk, 'first' | 'last'>[]): string {
  return `${JSON.stringify({ chunks: chunks.map((c) => [c.first, c.last]) })}\n`;
}
