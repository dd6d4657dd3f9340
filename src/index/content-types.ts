/** PEP 691 content types of the simple API, and the legacy alias. */
export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
export const LEGACY_HTML = 'text/html';

/** One of the three representations a simple-API page is served as. */
export type SimpleContentType = typeof SIMPLE_JSON | typeof SIMPLE_HTML | typeof LEGACY_HTML;

/**
 * Version of the simple API the pages implement (PEP 629 meta tag, PEP 691
 * `meta.api-version`). 1.1 is PEP 700: `versions`, `size`, `upload-time`.
 */
export const API_VERSION = '1.1';

/** Where a published page sits below `<repo>/`, and so how it reaches `packages/`. */
export const PACKAGES_FROM_PROJECT_PAGE = '../../packages/';
