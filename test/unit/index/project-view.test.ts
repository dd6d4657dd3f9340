import { describe, expect, it } from 'vitest';
import { projectView } from '../../../src/index/project-view.js';
import { indexFile, indexProject } from './fixtures.js';

describe('projectView', () => {
  const cases: { name: string; files: [string, boolean][]; versions: string[]; latest: string | null }[] = [
    { name: 'no files', files: [], versions: [], latest: null },
    { name: 'newest wins', files: [['1.0', false], ['1.0', false], ['2.0', false]], versions: ['1.0', '2.0'], latest: '2.0' },
    { name: 'yanked newest is skipped', files: [['1.0', false], ['2.0', true]], versions: ['1.0', '2.0'], latest: '1.0' },
    { name: 'all yanked: newest', files: [['1.0', true], ['2.0', true]], versions: ['1.0', '2.0'], latest: '2.0' },
    { name: 'one file of a release yanked, another not', files: [['2.0', true], ['2.0', false]], versions: ['2.0'], latest: '2.0' },
  ];
  it.each(cases)('$name', ({ files, versions, latest }) => {
    const view = projectView(
      indexProject('p', 'p', files.map(([version, yanked], i) => indexFile({ filename: `p-${version}-${i}-py3-none-any.whl`, version, yanked }))),
    );
    expect(view.versions).toEqual(versions);
    expect(view.latestVersion).toBe(latest);
  });
});
