import { describe, expect, it } from 'vitest';
import {
  buildCycles,
  buildRequirementsOf,
  describeCycle,
  DiscoveredSdist,
  requirementSets,
  setKey,
} from '../../../../src/pipeline/target-jobs/build-requirements.js';

const sdist = (over: Partial<DiscoveredSdist>): DiscoveredSdist => ({
  name: 'x',
  version: '1.0',
  url: 'http://i/x-1.0.tar.gz',
  filename: 'x-1.0.tar.gz',
  sha256: null,
  ...over,
});

describe('buildRequirementsOf', () => {
  it('is static, hook and recipe requirements, deduplicated and sorted', () => {
    const s = sdist({ static: ['setuptools>=40.8.0', 'cffi>=1.0'], hook: ['wheel', 'cffi>=1.0'] });
    expect(buildRequirementsOf(s, ['cython<3'])).toEqual(['cffi>=1.0', 'cython<3', 'setuptools>=40.8.0', 'wheel']);
  });

  it('uses the static requirements when the hook could not run', () => {
    expect(buildRequirementsOf(sdist({ static: ['setuptools'], hook: null }), [])).toEqual(['setuptools']);
  });
});

describe('DiscoveredSdist', () => {
  it.each(['--index-url=http://evil/', '-r/etc/passwd', '/abs/path.whl', ' leading-space'])('refuses %j as a requirement', (entry) => {
    expect(DiscoveredSdist.safeParse(sdist({ static: [entry] })).success).toBe(false);
    expect(DiscoveredSdist.safeParse(sdist({ hook: [entry] })).success).toBe(false);
  });
});

describe('requirementSets', () => {
  it('resolves each distinct list once, in a stable order, skipping lists already resolved', () => {
    const lists = new Map<string, readonly string[]>([
      ['b==1', ['setuptools>=40.8.0', 'wheel']],
      ['a==1', ['setuptools>=40.8.0', 'wheel']],
      ['c==2', ['cffi>=1.0', 'setuptools']],
      ['d==3', ['flit_core<4']],
    ]);
    const sets = requirementSets(lists, new Set([setKey(['flit_core<4'])]), 3);
    expect(sets).toEqual([
      { id: 'b3', requires: ['setuptools>=40.8.0', 'wheel'], sdists: ['a==1', 'b==1'] },
      { id: 'b4', requires: ['cffi>=1.0', 'setuptools'], sdists: ['c==2'] },
    ]);
  });
});

describe('buildCycles', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['no cycle: a chain', { 'a==1': ['b==1'], 'b==1': ['c==1'], 'c==1': [] }, []],
    ['a two-project cycle', { 'a==1': ['b==2'], 'b==2': ['a==1'] }, [['a==1', 'b==2']]],
    ['a self-dependency', { 'a==1': ['a==1'] }, [['a==1']]],
    ['a three-project cycle entered from outside', { 'x==1': ['b==1'], 'b==1': ['c==1'], 'c==1': ['d==1'], 'd==1': ['b==1'] }, [['b==1', 'c==1', 'd==1']]],
    ['two separate cycles', { 'a==1': ['b==1'], 'b==1': ['a==1'], 'c==1': ['d==1'], 'd==1': ['c==1'] }, [['a==1', 'b==1'], ['c==1', 'd==1']]],
    ['edges to wheels and unknown sdists are not edges', { 'a==1': ['setuptools==68', 'b==1'], 'b==1': [] }, []],
  ])('%s', (_name, graph, cycles) => {
    expect(buildCycles(new Map(Object.entries(graph)))).toEqual(cycles);
  });

  it('describes a cycle the way the error names it', () => {
    expect(describeCycle(['a==1.0', 'b==2.0'])).toBe('a 1.0 → b 2.0 → a 1.0');
  });
});
