import { describe, expect, it } from 'vitest';
import { projectView } from '../../../src/index/project-view.js';
import { renderLegacyJson } from '../../../src/index/render-legacy-json.js';
import { indexFile, indexProject } from './fixtures.js';

describe('renderLegacyJson (dumb-pypi pypi/<name>/json)', () => {
  const view = projectView(
    indexProject('Foo', 'foo', [
      indexFile({ filename: 'Foo-1.0-py3-none-any.whl', version: '1.0', requiresPython: '>=3.7' }),
      indexFile({
        filename: 'Foo-1.1-py3-none-any.whl',
        version: '1.1',
        requiresDist: ['six'],
        summary: 'S',
        requiresPython: '>=3.8',
        uploadTime: '2024-06-02T03:04:05.000Z',
      }),
      indexFile({ filename: 'Foo-2.0-py3-none-any.whl', version: '2.0', yanked: true, yankedReason: 'oops' }),
    ]),
  );
  const doc = JSON.parse(renderLegacyJson(view)) as {
    info: Record<string, unknown>;
    releases: Record<string, Record<string, unknown>[]>;
    urls: Record<string, unknown>[];
  };

  it('describes the latest version that is not yanked in info and urls', () => {
    expect(doc.info).toEqual({
      name: 'Foo',
      version: '1.1',
      requires_dist: ['six'],
      requires_python: '>=3.8',
      platform: 'UNKNOWN',
      summary: 'S',
      yanked: false,
      yanked_reason: null,
    });
    expect(doc.urls.map((u) => u.filename)).toEqual(['Foo-1.1-py3-none-any.whl']);
  });

  it('lists every release with dumb-pypi file keys', () => {
    expect(Object.keys(doc.releases)).toEqual(['1.0', '1.1', '2.0']);
    expect(doc.releases['1.1']![0]).toEqual({
      filename: 'Foo-1.1-py3-none-any.whl',
      url: '../../packages/Foo-1.1-py3-none-any.whl',
      requires_python: '>=3.8',
      packagetype: 'bdist_wheel',
      yanked: false,
      yanked_reason: null,
      upload_time: '2024-06-02 03:04:05',
      upload_time_iso_8601: '2024-06-02T03:04:05.000Z',
      digests: { sha256: 'a'.repeat(64) },
      size: 1234,
    });
    expect(doc.releases['2.0']![0]).toMatchObject({ yanked: true, yanked_reason: 'oops' });
  });
});
