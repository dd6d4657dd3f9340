/**
 * One request's page (`/admin/requests/<id>`): its state, the package ×
 * target table with a link to each row's build log, and the retry and
 * cancel buttons. `web/live.js` keeps the table current from the page's
 * server-sent events; without JavaScript, reloading does. Pure.
 */
import { FINAL_REQUEST_STATES, rowKey, type PackageRow, type RequestStatus } from '../../pipeline/contract/request-types.js';
import { html, type Html } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import { ADMIN_STYLESHEET, adminNav } from './admin-nav.js';

/** The builds pages' URL of a row's log. */
export function logHref(requestId: string, row: Pick<PackageRow, 'name' | 'target' | 'python'>): string {
  return `/admin/requests/${encodeURIComponent(requestId)}/log/${encodeURIComponent(row.name)}/${encodeURIComponent(row.target)}/${encodeURIComponent(row.python)}`;
}

/** The cells of one row after its name (also what live.js rebuilds from a row event). */
export function rowCells(requestId: string, row: PackageRow): Html {
  const detail = row.error ?? row.reason ?? row.wheel ?? '';
  return html`<td data-label="State"><span class="state state-${row.state}">${row.state}</span></td>
<td data-label="Time">${row.durationMs === undefined ? '' : `${(row.durationMs / 1000).toFixed(1)} s`}</td>
<td data-label="Log">${row.logPath === undefined ? '' : html`<a href="${logHref(requestId, row)}">log</a>`}</td>
<td class="mono" data-label="Detail">${detail.split('\n')[0]}</td>`;
}

export interface RequestPageInput {
  readonly status: RequestStatus;
  /** CSRF token for the retry and cancel forms. */
  readonly csrf: string;
}

export function renderRequestPage({ status, csrf }: RequestPageInput): string {
  const id = encodeURIComponent(status.id);
  const final = FINAL_REQUEST_STATES.has(status.state);
  const rows = status.rows.map(
    (row) => html`<tr id="row-${rowKey(row)}"><th scope="row">${row.name} ${row.version}</th><td data-label="Target">${row.target}</td><td data-label="Python">${row.python}</td>${rowCells(status.id, row)}</tr>\n`,
  );
  const failed = status.rows.some((r) => r.state === 'failed');
  const metadata = Object.entries(status.metadata).map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`);
  return renderPage({
    title: `Request ${status.id}`,
    stylesheet: ADMIN_STYLESHEET,
    nav: adminNav('requests'),
    scripts: ['/admin/static/live.js'],
    main: html`<h1>Request <span class="mono">${status.id}</span></h1>
<dl class="facts" data-events="${final ? '' : `/admin/requests/${id}/events`}">
<dt>State</dt><dd><span id="request-state" class="state state-${status.state}" aria-live="polite">${status.state}</span></dd>
<dt>Origin</dt><dd>${status.origin}</dd>
<dt>Targets</dt><dd>${status.targets.join(', ')}</dd>
<dt>Python</dt><dd>${status.python.join(', ')}</dd>
<dt>Requirements</dt><dd>${status.requirementFiles.join(', ')}</dd>
<dt>Created</dt><dd><time datetime="${status.createdAt}">${status.createdAt.replace('T', ' ').slice(0, 19)} UTC</time></dd>
${status.finishedAt === undefined ? '' : html`<dt>Finished</dt><dd><time datetime="${status.finishedAt}">${status.finishedAt.replace('T', ' ').slice(0, 19)} UTC</time></dd>`}
${metadata}
</dl>
${status.error === undefined ? '' : html`<p class="error">${status.error}</p>`}
<div class="actions">
<form method="post" action="/admin/requests/${id}/retry" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="failed" value="${failed ? 'true' : 'false'}"><button type="submit">${failed ? 'Retry failed' : 'Run again'}</button></form>
${final ? '' : html`<form method="post" action="/admin/requests/${id}/cancel" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="secondary">Cancel</button></form>`}
</div>
<h2>Packages and targets</h2>
${scrollRegion(
  'Packages and targets',
  html`<table id="rows" class="cards">
<thead><tr><th scope="col">Package</th><th scope="col">Target</th><th scope="col">Python</th><th scope="col">State</th><th scope="col">Time</th><th scope="col">Log</th><th scope="col">Detail</th></tr></thead>
<tbody>
${rows}</tbody></table>`,
)}
<noscript><p class="muted">Reload the page to see progress; with JavaScript it updates live.</p></noscript>`,
  });
}
