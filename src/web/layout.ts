/**
 * The page shell every farm web page shares (repository browser and builds
 * pages): language, viewport for phones, a skip link, one navigation
 * landmark, one `<main>` with the page's `<h1>`. Pure.
 */
import { html, type Html, type HtmlValue } from './html.js';

/** One navigation link; `current` marks the page's own section (`aria-current`). */
export interface NavLink {
  readonly href: string;
  readonly label: string;
  readonly current?: boolean;
}

export interface PageOptions {
  /** `<title>` (the site name is appended). */
  readonly title: string;
  /** URL of the shared stylesheet (`farm.css`), relative or absolute; none where there is nothing published yet. */
  readonly stylesheet?: string;
  readonly nav: readonly NavLink[];
  /** The contents of `<main>`, starting with its `<h1>`. */
  readonly main: HtmlValue;
  /** Scripts (URLs), loaded deferred: every page works without them. */
  readonly scripts?: readonly string[];
  /** Extra `<head>` elements. */
  readonly head?: HtmlValue;
}

/** A whole HTML document. */
export function renderPage(options: PageOptions): string {
  const nav = options.nav.map(
    (link) => html`<li><a href="${link.href}"${link.current === true ? html` aria-current="page"` : ''}>${link.label}</a></li>`,
  );
  const scripts = (options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`);
  const page: Html = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · farm</title>
${options.stylesheet === undefined ? '' : html`<link rel="stylesheet" href="${options.stylesheet}">\n`}${options.head}${scripts}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><span class="brand">farm</span>
<nav aria-label="Sections"><ul>${nav}</ul></nav></header>
<main id="main">
${options.main}
</main>
</body>
</html>
`;
  return page.value;
}

/**
 * A table in a horizontally scrollable region (wide matrices on a phone):
 * focusable and labelled, so keyboard users can scroll it too.
 */
export function scrollRegion(label: string, table: HtmlValue): Html {
  return html`<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}
