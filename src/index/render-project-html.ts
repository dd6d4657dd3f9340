import { API_VERSION, PACKAGES_FROM_PROJECT_PAGE } from './content-types.js';
import { escapeHtml } from './escape-html.js';
import type { IndexFile, ProjectView } from './project-view.js';

/**
 * The PEP 503 project page (`simple/<project>/index.html`), with
 * - `#sha256=` on every link;
 * - `data-requires-python`, HTML-escaped;
 * - PEP 592 `data-yanked` (the reason, possibly empty);
 * - PEP 629 `pypi:repository-version`;
 * - PEP 658/714 `data-core-metadata` and the legacy `data-dist-info-metadata`
 *   (same value, as PEP 714 requires), `sha256=` of `<wheel>.metadata`.
 *
 * @param packagesUrl URL of `packages/` relative to the page (or absolute).
 */
export function renderProjectHtml(view: ProjectView, packagesUrl: string = PACKAGES_FROM_PROJECT_PAGE): string {
  const title = `Links for ${escapeHtml(view.name)}`;
  const links = view.files.map((file) => `    ${fileAnchor(file, packagesUrl)}<br>\n`).join('');
  return (
    '<!DOCTYPE html>\n<html>\n  <head>\n' +
    `    <meta name="pypi:repository-version" content="${API_VERSION}">\n` +
    `    <title>${title}</title>\n  </head>\n  <body>\n    <h1>${title}</h1>\n` +
    links +
    '  </body>\n</html>\n'
  );
}

function fileAnchor(file: IndexFile, packagesUrl: string): string {
  const href = `${packagesUrl}${encodeURIComponent(file.filename)}#sha256=${file.sha256}`;
  let attributes = `href="${escapeHtml(href)}"`;
  if (file.requiresPython !== null) attributes += ` data-requires-python="${escapeHtml(file.requiresPython)}"`;
  const metadata = `sha256=${file.metadataSha256}`;
  attributes += ` data-core-metadata="${metadata}" data-dist-info-metadata="${metadata}"`;
  if (file.yanked) attributes += ` data-yanked="${escapeHtml(file.yankedReason)}"`;
  return `<a ${attributes}>${escapeHtml(file.filename)}</a>`;
}
