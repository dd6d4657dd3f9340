import { describe, expect, it } from 'vitest';
import { projectView } from '../../../src/index/project-view.js';
import { renderProjectJson } from '../../../src/index/render-project-json.js';
import { indexFile, indexProject } from './fixtures.js';

const render = (files: Parameters<typeof indexFile>[0][]) =>
  JSON.parse(renderProjectJson(projectView(indexProject('Foo_Bar', 'foo-bar', files.map(indexFile))))) as {
    meta: Record<string, string>;
    name: string;
    versions: string[];
    files: Record<string, unknown>[];
  };

describe('renderProjectJson (PEP 691 + PEP 700)', () => {
  it('has api-version 1.1, the normalised name and every version', () => {
    const doc = render([
      { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0' },
      { filename: 'Foo_Bar-1.0-cp311-cp311-linux_x86_64.whl', version: '1.0' },
      { filename: 'Foo_Bar-2.0rc1-py3-none-any.whl', version: '2.0rc1' },
    ]);
    expect(doc.meta).toEqual({ 'api-version': '1.1' });
    expect(doc.name).toBe('foo-bar');
    expect(doc.versions).toEqual(['1.0', '2.0rc1']);
    expect(doc.files).toHaveLength(3);
  });

  const cases: { name: string; file: Parameters<typeof indexFile>[0]; expected: Record<string, unknown> }[] = [
    {
      name: 'plain file: url, hashes, core-metadata, size, upload-time',
      file: { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0', size: 42 },
      expected: {
        filename: 'Foo_Bar-1.0-py3-none-any.whl',
        url: '../../packages/Foo_Bar-1.0-py3-none-any.whl',
        hashes: { sha256: 'a'.repeat(64) },
        'core-metadata': { sha256: 'b'.repeat(64) },
        size: 42,
        'upload-time': '2024-05-01T12:00:00.000Z',
      },
    },
    {
      name: 'requires-python unescaped',
      file: { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0', requiresPython: '>=3.8,<4' },
      expected: { 'requires-python': '>=3.8,<4' },
    },
    {
      name: 'yanked with reason',
      file: { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0', yanked: true, yankedReason: 'bad build' },
      expected: { yanked: 'bad build' },
    },
    {
      name: 'yanked without reason is true',
      file: { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0', yanked: true },
      expected: { yanked: true },
    },
  ];
  it.each(cases)('$name', ({ file, expected }) => {
    expect(render([file]).files[0]).toMatchObject(expected);
  });

  it('omits absent optional keys and never emits the pre-PEP 714 dist-info-metadata key', () => {
    const file = render([{ filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0' }]).files[0]!;
    expect(Object.keys(file)).not.toContain('requires-python');
    expect(Object.keys(file)).not.toContain('yanked');
    expect(Object.keys(file)).not.toContain('dist-info-metadata');
    expect(Object.keys(file)).not.toContain('data-dist-info-metadata');
  });

  it('carries farm’s provenance under the private `_farm` key (PEP 691), only for wheels farm built', () => {
    const build = {
      recipeHash: `sha256:${'c'.repeat(64)}`,
      image: 'farm/builder-glibc-x86_64:bootstrap-py3.11@sha256:' + 'd'.repeat(64),
      sdist: { filename: 'foo_bar-1.0.tar.gz', sha256: 'e'.repeat(64) },
      buildDependencies: [{ name: 'helper', version: '2.0', filename: 'helper-2.0-cp311-cp311-linux_x86_64.whl', sha256: 'f'.repeat(64) }],
      network: 'none' as const,
      repair: 'vendored' as const,
      vendoredLibraries: [{ soname: 'libjpeg.so.62', path: 'foo_bar.libs/libjpeg-0a1b2c3d.so.62', sha256: '1'.repeat(64) }],
    };
    const doc = render([
      { filename: 'Foo_Bar-1.0-cp311-cp311-linux_x86_64.whl', version: '1.0', build },
      { filename: 'Foo_Bar-1.0-py3-none-any.whl', version: '1.0' },
    ]);
    expect(doc.files[0]!['_farm']).toEqual(build);
    expect(Object.keys(doc.files[1]!)).not.toContain('_farm');
  });
});
