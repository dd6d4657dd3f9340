import { describe, expect, it } from 'vitest';
import { SummaryTable, type PublishedProject } from '../../../src/index/index-summary.js';

const project = (name: string, latest = '1.0'): PublishedProject => ({
  project: name,
  name: name.toUpperCase(),
  latestVersion: latest,
  files: 1,
  digest: `d-${name}-${latest}`,
  sizes: [1, 2, 3, 4],
});

describe('SummaryTable', () => {
  it('keeps projects sorted through inserts, replacements and removals', () => {
    const table = SummaryTable.empty();
    for (const name of ['m', 'a', 'z', 'c']) table.upsert(project(name));
    table.upsert(project('c', '2.0'));
    expect(table.projects).toEqual(['a', 'c', 'm', 'z']);
    expect(table.find('c')).toEqual(project('c', '2.0'));
    expect(table.remove('m')).toBe(true);
    expect(table.remove('m')).toBe(false);
    expect(table.find('m')).toBeUndefined();
    expect(table.entries().map((e) => [e.project, e.latestVersion])).toEqual([
      ['a', '1.0'],
      ['c', '2.0'],
      ['z', '1.0'],
    ]);
  });

  it('round-trips through its file format', () => {
    const table = SummaryTable.empty();
    table.upsert(project('b'));
    table.upsert({ ...project('a'), latestVersion: null });
    const parsed = SummaryTable.parse(table.toFile({ renderer: 'r', rootSimple: 's', rootHuman: null }))!;
    expect(parsed).toMatchObject({ renderer: 'r', rootSimple: 's', rootHuman: null });
    expect(parsed.table.find('a')).toEqual({ ...project('a'), latestVersion: null });
    expect(parsed.table.projects).toEqual(['a', 'b']);
  });

  const broken: [string, string][] = [
    ['not JSON', '{'],
    ['older format', JSON.stringify({ format: 1, renderer: 'r', rootSimple: null, rootHuman: null, projects: [] })],
    ['columns of different lengths', JSON.stringify({ format: 3, renderer: 'r', rootSimple: null, rootHuman: null, project: ['a'], name: [], latest: [null], files: [1], digest: ['d'], sizes: [1, 2, 3, 4] })],
    ['unsorted', JSON.stringify({ format: 3, renderer: 'r', rootSimple: null, rootHuman: null, project: ['b', 'a'], name: ['b', 'a'], latest: [null, null], files: [1, 1], digest: ['d', 'd'], sizes: [1, 2, 3, 4, 1, 2, 3, 4] })],
    ['negative count', JSON.stringify({ format: 3, renderer: 'r', rootSimple: null, rootHuman: null, project: ['a'], name: ['a'], latest: [null], files: [-1], digest: ['d'], sizes: [1, 2, 3, 4] })],
  ];
  it.each(broken)('rejects %s (the caller then regenerates in full)', (_name, text) => {
    expect(SummaryTable.parse(text)).toBeUndefined();
  });
});
