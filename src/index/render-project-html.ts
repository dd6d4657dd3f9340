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
 * Below the links, for people reading the page (installers only read the
 * anchors): the system packages a wheel needs at run time (recipe
 * `runtimePackages`, as piwheels shows them) and the shared libraries farm
 * vendored into it.
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
    systemNotes(view.files) +
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

/** The install command of a package manager, as a user types it. */
const INSTALL: Readonly<Record<string, string>> = { apt: 'apt install', apk: 'apk add', dnf: 'dnf install', yum: 'yum install' };

function systemNotes(files: readonly IndexFile[]): string {
  const lines: string[] = [];
  for (const file of files) {
    const build = file.build;
    if (build === undefined) continue;
    const name = escapeHtml(file.filename);
    for (const set of build.runtimePackages ?? []) {
      if (set.packages.length === 0) continue;
      const command = `${INSTALL[set.manager] ?? set.manager} ${set.packages.join(' ')}`;
      lines.push(`    <p>${name} needs system packages: <code>${escapeHtml(command)}</code></p>\n`);
    }
    const vendored = build.vendoredLibraries ?? [];
    if (vendored.length > 0) {
      const libs = vendored.map((l) => escapeHtml(l.package === undefined ? l.soname : `${l.soname} (${l.package})`)).join(', ');
      lines.push(`    <p>${name} includes ${libs}</p>\n`);
    }
  }
  return lines.length === 0 ? '' : `    <h2>System libraries</h2>\n${lines.join('')}`;
}
