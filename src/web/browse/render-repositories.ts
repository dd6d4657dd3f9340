/**
 * The list of repositories (`/` of `farm serve`): each repository with its
 * pip line and a link to its home page. Pure.
 */
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { STATIC_DIR } from './browse-urls.js';

/** The page listing `repositories` (sorted names); the look comes from the first one's published stylesheet. */
export function renderRepositoriesPage(repositories: readonly string[]): string {
  const first = repositories[0];
  const items = repositories.map(
    (repo) => html`<h2><a href="${encodeURIComponent(repo)}/">${repo}</a></h2>
<pre><code>pip install --extra-index-url <span class="origin">http://&lt;this host&gt;</span>/${repo}/simple/ &lt;project&gt;</code></pre>\n`,
  );
  return renderPage({
    title: 'Repositories',
    nav: [{ href: './', label: 'Repositories', current: true }],
    ...(first === undefined ? {} : { stylesheet: `${encodeURIComponent(first)}/${STATIC_DIR}/farm.css`, scripts: [`${encodeURIComponent(first)}/${STATIC_DIR}/search.js`] }),
    main: html`<h1>Repositories</h1>
<p class="lede">One repository per C library: pip on an Alpine (musl) system takes wheels from <code>musl</code>, pip on a glibc system from <code>glibc</code>.</p>
${repositories.length === 0 ? html`<p>No repositories yet: <code>farm build</code> or <code>farm add</code> creates them.</p>` : items}`,
  });
}
