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
