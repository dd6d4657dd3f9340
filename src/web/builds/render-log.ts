/**
 * A build log's page (`/admin/requests/<id>/log/<package>/<target>/<python>`):
 * the log so far (its tail, when long), followed live by `web/live.js`
 * through server-sent events while the build runs. Pure.
 */
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { ADMIN_STYLESHEET, adminNav } from './admin-nav.js';

export interface LogPageInput {
  readonly requestId: string;
  readonly name: string;
  readonly target: string;
  readonly python: string;
  /** The text shown (the tail when `skipped` > 0). */
  readonly text: string;
  /** Bytes left out at the start. */
  readonly skipped: number;
  /** Byte offset where the live stream continues; `null` when the row is final. */
  readonly followFrom: number | null;
  /** The stream's URL (without the offset). */
  readonly streamUrl: string;
}

export function renderLogPage(input: LogPageInput): string {
  const follow = input.followFrom === null ? '' : `${input.streamUrl}?from=${input.followFrom}`;
  return renderPage({
    title: `Log of ${input.name} on ${input.target}`,
    stylesheet: ADMIN_STYLESHEET,
    nav: adminNav('requests'),
    scripts: ['/admin/static/live.js'],
    main: html`<h1>Log of ${input.name} on ${input.target}, Python ${input.python}</h1>
<p><a href="/admin/requests/${encodeURIComponent(input.requestId)}">Back to request <span class="mono">${input.requestId}</span></a></p>
${input.skipped > 0 ? html`<p class="muted">The first ${input.skipped} bytes are left out.</p>` : ''}
<p id="log-status" class="muted" aria-live="polite">${input.followFrom === null ? 'The build has finished.' : 'Following the build as it runs.'}</p>
<pre class="log" id="log" tabindex="0" data-follow="${follow}">${input.text}</pre>`,
  });
}
