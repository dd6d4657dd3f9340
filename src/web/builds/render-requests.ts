/**
 * The builds pages' front page (`/admin/`): recent requests with their state
 * and row counts. Pure.
 */
import type { RequestSummary } from '../../pipeline/contract/request-types.js';
import { html } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import { ADMIN_STYLESHEET, adminNav } from './admin-nav.js';

/** `built 3, failed 1` in a fixed order. */
export function formatCounts(counts: RequestSummary['counts']): string {
  const order = ['building', 'queued', 'built', 'mirrored', 'cached', 'shared', 'failed', 'skipped', 'resolved'] as const;
  return order
    .filter((state) => (counts[state] ?? 0) > 0)
    .map((state) => `${state} ${counts[state]}`)
    .join(', ');
}

export function renderRequestsPage(requests: readonly RequestSummary[]): string {
  const rows = requests.map(
    (r) => html`<tr><th scope="row"><a href="/admin/requests/${encodeURIComponent(r.id)}" class="mono">${r.id}</a></th>
<td data-label="State"><span class="state state-${r.state}">${r.state}</span></td><td data-label="Origin">${r.origin}</td><td data-label="Targets">${r.targets.join(', ')}</td>
<td data-label="Created"><time datetime="${r.createdAt}">${r.createdAt.slice(0, 16).replace('T', ' ')} UTC</time></td><td data-label="Rows">${formatCounts(r.counts)}</td></tr>\n`,
  );
  return renderPage({
    title: 'Requests',
    stylesheet: ADMIN_STYLESHEET,
    nav: adminNav('requests'),
    main: html`<h1>Build requests</h1>
<p class="lede muted">The ${requests.length} most recent requests, newest first.</p>
${
  requests.length === 0
    ? html`<p>No requests yet. Submit one with <code>farm build</code>, a webhook or a schedule.</p>`
    : scrollRegion(
        'Requests',
        html`<table class="cards">
<thead><tr><th scope="col">Request</th><th scope="col">State</th><th scope="col">Origin</th><th scope="col">Targets</th><th scope="col">Created</th><th scope="col">Rows</th></tr></thead>
<tbody>
${rows}</tbody></table>`,
      )
}
<form method="post" action="/admin/logout" class="actions"><button type="submit" class="secondary">Log out</button></form>`,
  });
}
