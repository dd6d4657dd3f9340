import { describe, expect, it } from 'vitest';
import { renderRootHtml, renderRootJson, type RootEntry } from '../../../src/index/render-root.js';

const entries: RootEntry[] = [
  { project: 'a-b', name: 'A_B', latestVersion: '1.0', files: 2 },
  { project: 'evil', name: '<script>', latestVersion: '2.0<', files: 1 },
];

describe('root pages', () => {
  it('PEP 503 root links each project by its normalised name, text escaped, with the PEP 629 tag', () => {
    const html = renderRootHtml(entries);
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect(html).toContain('<a href="a-b/">A_B</a><br>');
    expect(html).toContain('<a href="evil/">&lt;script&gt;</a><br>');
    expect(html).not.toContain('<script>');
  });

  it('PEP 691 root lists the projects with api-version 1.1', () => {
    expect(JSON.parse(renderRootJson(entries))).toEqual({
      meta: { 'api-version': '1.1' },
      projects: [{ name: 'A_B' }, { name: '<script>' }],
    });
  });

  it('an empty repository renders valid empty pages', () => {
    expect(renderRootHtml([])).toContain('<body>\n  </body>');
    expect(JSON.parse(renderRootJson([]))).toEqual({ meta: { 'api-version': '1.1' }, projects: [] });
  });
});
