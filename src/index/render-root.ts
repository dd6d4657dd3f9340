import { API_VERSION } from './content-types.js';
import { escapeHtml } from './escape-html.js';

/** One project as the root pages list it. */
export interface RootEntry {
  /** Normalised name. */
  readonly project: string;
  /** Display name. */
  readonly name: string;
  readonly latestVersion: string | null;
  /** Number of wheels. */
  readonly files: number;
}

/** PEP 503 root (`simple/index.html`): one link per project, to its normalised URL. */
export function renderRootHtml(entries: readonly RootEntry[]): string {
  const parts: string[] = [
    '<!DOCTYPE html>\n<html>\n  <head>\n',
    `    <meta name="pypi:repository-version" content="${API_VERSION}">\n`,
    '    <title>Simple index</title>\n  </head>\n  <body>\n',
  ];
  for (const e of entries) parts.push(`    <a href="${e.project}/">${escapeHtml(e.name)}</a><br>\n`);
  parts.push('  </body>\n</html>\n');
  return parts.join('');
}

/** PEP 691 root (`simple/index.json`). */
export function renderRootJson(entries: readonly RootEntry[]): string {
  return `${JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: entries.map((e) => ({ name: e.name })) })}\n`;
}

/**
 * The page for humans (`<repo>/index.html`): every project with its latest
 * version and how to point pip at the repository.
 */
export function renderHumanPage(repository: string, entries: readonly RootEntry[]): string {
  const repo = escapeHtml(repository);
  const parts: string[] = [
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    `<title>farm repository ${repo}</title>\n`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}' +
      'td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}code{background:#f4f4f4}</style>\n',
    `</head>\n<body>\n<h1>farm repository ${repo}</h1>\n`,
    `<p>${entries.length} projects. Install from this repository with ` +
      '<code>pip install --extra-index-url &lt;this page&#39;s URL&gt;simple/ &lt;project&gt;</code>.</p>\n',
    '<table>\n<thead><tr><th>Project</th><th>Latest version</th><th>Files</th></tr></thead>\n<tbody>\n',
  ];
  // End tags of cells and rows are optional in HTML; leaving them out keeps a
  // 20,000-project page a third smaller.
  for (const e of entries) {
    parts.push(`<tr><td><a href="simple/${e.project}/">${escapeHtml(e.name)}</a><td>${escapeHtml(e.latestVersion ?? '')}<td>${e.files}\n`);
  }
  parts.push('</tbody>\n</table>\n</body>\n</html>\n');
  return parts.join('');
}
