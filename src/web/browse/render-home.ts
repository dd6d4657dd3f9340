/**
 * The repository's home page (`<repo>/index.html`): how to point pip at it,
 * a search box, and the project list as ranges of chunk pages. Never the
 * whole list: its size grows with the number of chunks, not of projects.
 * Pure.
 */
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { chunkHref, STATIC_DIR } from './browse-urls.js';
import type { ProjectChunk } from './project-chunks.js';

export interface HomeFacts {
  readonly repository: string;
  readonly projects: number;
  readonly wheels: number;
  readonly chunks: readonly Pick<ProjectChunk, 'first' | 'last' | 'entries'>[];
}

/** The pip lines of a repository, one block per command; `origin` is a placeholder the search script replaces with the page's own. */
export function pipLines(repository: string, relativeToOrigin: string) {
  const url = html`<span class="origin">http://&lt;this host&gt;</span>/${repository}/simple/`;
  return html`<p>A project:</p>
<pre><code>pip install --extra-index-url ${url} &lt;project&gt;</code></pre>
<p>A requirements file:</p>
<pre><code>pip install --extra-index-url ${url} -r requirements.txt</code></pre>
<p class="muted">The URL is this page's address followed by <code>${relativeToOrigin}</code>. Use <code>--index-url</code> instead to take nothing from PyPI.</p>`;
}

export function renderHomePage(facts: HomeFacts): string {
  const ranges = facts.chunks.map(
    (c) => html`<li><a href="${chunkHref(c.first)}">${c.entries[0]!.name} – ${c.entries[c.entries.length - 1]!.name}</a> <span class="muted">(${c.entries.length})</span></li>\n`,
  );
  return renderPage({
    title: `Repository ${facts.repository}`,
    stylesheet: `${STATIC_DIR}/farm.css`,
    nav: [
      { href: '../', label: 'Repositories' },
      { href: './', label: facts.repository, current: true },
    ],
    scripts: [`${STATIC_DIR}/search.js`],
    main: html`<h1>Repository ${facts.repository}</h1>
<p class="lede">${facts.projects} projects, ${facts.wheels} wheels.</p>
<h2>Install from this repository</h2>
${pipLines(facts.repository, 'simple/')}
<h2 id="find">Find a project</h2>
<form class="search" role="search" action="go" method="get" data-search="${'projects/'}">
<label for="q">Project name</label>
<input id="q" name="q" type="search" autocomplete="off" spellcheck="false" aria-describedby="q-help">
<button type="submit">Go</button>
<p id="q-help" class="muted">Go opens the project of exactly that name; as you type, projects whose name starts with the text are listed below.</p>
</form>
<div id="results" aria-live="polite"></div>
<h2>All projects</h2>
${facts.chunks.length === 0 ? html`<p>No projects yet.</p>` : html`<ul class="ranges">\n${ranges}</ul>`}`,
  });
}
