/**
 * URLs of the repository browser, relative to the repository directory
 * (`/<repo>/`), and the files that serve them. `farm serve` and the shipped
 * nginx config map the same URLs to the same files. Pure.
 *
 * | URL                                  | file                                 |
 * |--------------------------------------|--------------------------------------|
 * | `<repo>/`                            | `index.html` (home: pip line, search, ranges) |
 * | `<repo>/projects/<first>.html`       | same (one chunk of the project list) |
 * | `<repo>/projects/<first>.json`       | same (the chunk as search data)      |
 * | `<repo>/projects/index.json`         | same (chunk names: the search index) |
 * | `<repo>/project/<name>/`             | `simple/<name>/project.html`         |
 * | `<repo>/project/<name>/<wheel>.html` | same (one wheel)                     |
 * | `<repo>/static/<asset>`              | same (stylesheet, search script)     |
 * | `<repo>/go?q=<name>`                 | redirect to `project/<normalised>/`  |
 */

/** Directory (under the repository) of the chunk pages and the search index. */
export const PROJECTS_DIR = 'projects';
/** Directory of the wheel pages (`<name>/<wheel>.html`); the project pages live in `simple/<name>/`. */
export const PROJECT_DIR = 'project';
/** Directory of the copied web assets. */
export const STATIC_DIR = 'static';
/** The search index: chunk first names, in order. */
export const SEARCH_MANIFEST = 'index.json';

/** Link from the home page to a chunk page. */
export const chunkHref = (first: string): string => `${PROJECTS_DIR}/${first}.html`;
/** Link from the home page to a project page. */
export const projectHref = (project: string): string => `${PROJECT_DIR}/${project}/`;
/** Link from a project page (`project/<name>/`) to one of its wheel pages. */
export const wheelHref = (filename: string): string => `${encodeURIComponent(filename)}.html`;
