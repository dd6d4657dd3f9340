/**
 * Provenance of a wheel, rendered generically: every field the inventory
 * records under `build` or `mirror` is shown (nested objects as nested
 * lists), so new fields (vendored libraries, for one) appear without a
 * change here. Known fields get a friendlier label, and a build that names
 * its request, target and Python links to its log on the builds pages.
 * Pure.
 */
import { html, type Html } from '../html.js';
import type { BrowserFile } from './project-matrix.js';

const LABELS: Readonly<Record<string, string>> = {
  recipeHash: 'Recipe hash',
  image: 'Builder image',
  requestId: 'Request',
  target: 'Target',
  python: 'Python',
  url: 'Downloaded from',
  vendored: 'Vendored libraries',
};

function label(key: string): string {
  return LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

function value(v: unknown): Html {
  if (Array.isArray(v)) {
    if (v.length === 0) return html`<span class="muted">none</span>`;
    return html`<ul>${v.map((item) => html`<li>${value(item)}</li>`)}</ul>`;
  }
  if (v !== null && typeof v === 'object') return fields(v as Record<string, unknown>);
  if (typeof v === 'string') return html`<code>${v}</code>`;
  return html`${String(v)}`;
}

function fields(record: Readonly<Record<string, unknown>>): Html {
  const rows = Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => html`<dt>${label(k)}</dt><dd>${value(v)}</dd>`);
  return html`<dl class="facts">${rows}</dl>`;
}

/** Path of a build's log on the builds pages (`farm api`), when the provenance names the build. */
export function buildLogUrl(project: string, build: Readonly<Record<string, unknown>>): string | undefined {
  const { requestId, target, python } = build;
  if (typeof requestId !== 'string' || typeof target !== 'string' || typeof python !== 'string') return undefined;
  return `/admin/requests/${encodeURIComponent(requestId)}/log/${encodeURIComponent(project)}/${encodeURIComponent(target)}/${encodeURIComponent(python)}`;
}

/** The provenance block of one wheel. */
export function renderProvenance(project: string, file: BrowserFile): Html {
  if (file.build !== undefined) {
    const log = buildLogUrl(project, file.build);
    return html`<p>Built by farm.${log === undefined ? '' : html` <a href="${log}">Build log</a> (builds pages, admin token).`}</p>${fields(file.build)}`;
  }
  if (file.mirror !== undefined) return html`<p>Mirrored from upstream by farm.</p>${fields(file.mirror)}`;
  return html`<p>${file.origin === 'adopted' ? 'Copied into the repository by hand and adopted by farm index.' : 'Added with farm add.'}</p>`;
}
