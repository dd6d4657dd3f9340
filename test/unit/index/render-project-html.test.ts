import { describe, expect, it } from 'vitest';
import { projectView } from '../../../src/index/project-view.js';
import { renderProjectHtml } from '../../../src/index/render-project-html.js';
import { indexFile, indexProject } from './fixtures.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('renderProjectHtml', () => {
  const cases: { name: string; file: Parameters<typeof indexFile>[0]; anchor: string }[] = [
    {
      name: 'plain wheel: hash fragment and both PEP 658/714 attributes with the metadata sha256',
      file: { filename: 'foo-1.0-py3-none-any.whl', version: '1.0' },
      anchor:
        `<a href="../../packages/foo-1.0-py3-none-any.whl#sha256=${A}" data-core-metadata="sha256=${B}" ` +
        `data-dist-info-metadata="sha256=${B}">foo-1.0-py3-none-any.whl</a><br>`,
    },
    {
      name: 'data-requires-python is HTML-escaped',
      file: { filename: 'foo-1.0-py3-none-any.whl', version: '1.0', requiresPython: '>=3.8,<4,!="3.9.*"' },
      anchor: 'data-requires-python="&gt;=3.8,&lt;4,!=&quot;3.9.*&quot;"',
    },
    {
      name: 'yanked with a reason (PEP 592), escaped',
      file: { filename: 'foo-1.0-py3-none-any.whl', version: '1.0', yanked: true, yankedReason: 'broken <ABI> & "bad"' },
      anchor: 'data-yanked="broken &lt;ABI&gt; &amp; &quot;bad&quot;">',
    },
    {
      name: 'yanked without a reason: empty attribute',
      file: { filename: 'foo-1.0-py3-none-any.whl', version: '1.0', yanked: true },
      anchor: 'data-yanked="">',
    },
    {
      name: 'local version "+" is percent-encoded in the URL, not in the text',
      file: { filename: 'foo-1.0+local-py3-none-any.whl', version: '1.0+local' },
      anchor: `href="../../packages/foo-1.0%2Blocal-py3-none-any.whl#sha256=${A}"`,
    },
  ];
  it.each(cases)('$name', ({ file, anchor }) => {
    const html = renderProjectHtml(projectView(indexProject('foo', 'foo', [indexFile(file)])));
    expect(html).toContain(anchor);
  });

  it('is a complete PEP 503 page with the PEP 629 version and the display name escaped', () => {
    const html = renderProjectHtml(projectView(indexProject('A<b>', 'a-b', [indexFile({ filename: 'x-1-py3-none-any.whl', version: '1' })])));
    expect(html.startsWith('<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">')).toBe(true);
    expect(html).toContain('<title>Links for A&lt;b&gt;</title>');
    expect(html.endsWith('</html>\n')).toBe(true);
  });

  it('not yanked: no data-yanked; no Requires-Python: no data-requires-python', () => {
    const html = renderProjectHtml(projectView(indexProject('foo', 'foo', [indexFile({ filename: 'foo-1-py3-none-any.whl', version: '1' })])));
    expect(html).not.toContain('data-yanked');
    expect(html).not.toContain('data-requires-python');
  });

  it('takes an absolute packages URL', () => {
    const html = renderProjectHtml(
      projectView(indexProject('foo', 'foo', [indexFile({ filename: 'foo-1-py3-none-any.whl', version: '1' })])),
      'https://files.example/glibc/',
    );
    expect(html).toContain('href="https://files.example/glibc/foo-1-py3-none-any.whl#sha256=');
  });

  it('shows the runtime system packages a wheel needs and the libraries vendored into it, escaped', () => {
    const html = renderProjectHtml(
      projectView(
        indexProject('foo', 'foo', [
          indexFile({
            filename: 'foo-1-cp311-cp311-linux_x86_64.whl',
            version: '1',
            build: {
              recipeHash: `sha256:${'c'.repeat(64)}`,
              runtimePackages: [{ manager: 'apt', packages: ['libfoo1', 'libbar<2>'] }],
              vendoredLibraries: [{ soname: 'libjpeg.so.62', path: 'foo.libs/libjpeg-00000000.so.62', sha256: A, package: 'libjpeg62-turbo' }],
            },
          }),
          indexFile({ filename: 'foo-1-py3-none-any.whl', version: '1' }),
        ]),
      ),
    );
    expect(html).toContain('<h2>System libraries</h2>');
    expect(html).toContain('<p>foo-1-cp311-cp311-linux_x86_64.whl needs system packages: <code>apt install libfoo1 libbar&lt;2&gt;</code></p>');
    expect(html).toContain('<p>foo-1-cp311-cp311-linux_x86_64.whl includes libjpeg.so.62 (libjpeg62-turbo)</p>');
    expect(html).not.toContain('foo-1-py3-none-any.whl needs');
  });

  it('has no system-library section when no wheel needs one', () => {
    const html = renderProjectHtml(projectView(indexProject('foo', 'foo', [indexFile({ filename: 'foo-1-py3-none-any.whl', version: '1' })])));
    expect(html).not.toContain('System libraries');
  });
});
