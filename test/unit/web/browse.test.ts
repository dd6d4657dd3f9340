import { describe, expect, it } from 'vitest';
import type { RootEntry } from '../../../src/index/render-root.js';
import { goLocation, routeRequest } from '../../../src/serve/route-request.js';
import { TARGETS } from '../../../src/targets/catalog.js';
import { chunkProjects, MAX } from '../../../src/web/browse/project-chunks.js';
import { projectMatrix, repositoryTargets, type BrowserFile } from '../../../src/web/browse/project-matrix.js';
import { wheelPlatforms } from '../../../src/wheels/wheel-filename.js';
import { parseRecord } from '../../../src/web/browse/wheel-contents.js';
import { indexFile } from '../index/fixtures.js';

const entry = (project: string): RootEntry => ({ project, name: project, latestVersion: '1.0', files: 1 });
const names = (n: number, prefix = 'p'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);

describe('project chunks', () => {
  const entries = names(20_000).map(entry);
  const chunks = chunkProjects(entries);

  it('cover every project once, in order, none larger than MAX', () => {
    expect(chunks.flatMap((c) => c.entries.map((e) => e.project))).toEqual(entries.map((e) => e.project));
    expect(Math.max(...chunks.map((c) => c.entries.length))).toBeLessThanOrEqual(MAX);
    expect(chunks.length).toBeGreaterThan(20);
  });

  it('change in one place only when a project is added or removed', () => {
    const key = (c: { first: string; entries: readonly RootEntry[] }) => `${c.first}:${c.entries.map((e) => e.project).join(',')}`;
    const before = new Set(chunks.map(key));
    const added = chunkProjects([...entries.slice(0, 9000), entry('p-009000a'), ...entries.slice(9000)]);
    const removed = chunkProjects([...entries.slice(0, 12_345), ...entries.slice(12_346)]);
    for (const after of [added, removed]) {
      const changed = after.map(key).filter((k) => !before.has(k));
      expect(changed.length).toBeGreaterThanOrEqual(1);
      expect(changed.length).toBeLessThanOrEqual(2);
    }
  });

  it('an empty repository has no chunks', () => {
    expect(chunkProjects([])).toEqual([]);
  });
});

describe('the versions × targets matrix', () => {
  const file = (filename: string, version: string, extra: Partial<BrowserFile> = {}): BrowserFile => ({ ...indexFile({ filename, version }), ...extra });
  const build = { recipeHash: `sha256:${'a'.repeat(64)}` };
  const files: BrowserFile[] = [
    file('x-0.9-py3-none-any.whl', '0.9', { yanked: true }),
    file('x-1.0-py3-none-any.whl', '1.0', { origin: 'collected' }),
    file('x-2.0-cp311-cp311-manylinux_2_28_x86_64.whl', '2.0', { build }),
    file('x-2.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', '2.0', { mirror: { url: 'u' } }),
    file('x-2.1-cp311-cp311-musllinux_1_2_x86_64.whl', '2.1', { build }),
    file('x-2.2-cp311-cp311-linux_armv7l.whl', '2.2', { build, yanked: true }),
    file('x-2.2-py3-none-any.whl', '2.2', { origin: 'adopted' }),
  ];
  const glibc = repositoryTargets('glibc');

  it.each([
    ['2.2', ['added', 'added', 'added']],
    ['2.1', ['missing', 'missing', 'missing']],
    ['2.0', ['built', 'mirrored', 'missing']],
    ['1.0', ['added', 'added', 'added']],
    ['0.9', ['yanked', 'yanked', 'yanked']],
  ])('version %s on glibc-x86_64, -aarch64, -armv7: %j', (version, states) => {
    const matrix = projectMatrix(files, glibc);
    expect(matrix.targets).toEqual(['glibc-x86_64', 'glibc-aarch64', 'glibc-armv7']);
    expect(matrix.cells[matrix.versions.indexOf(version)]!.map((c) => c.state)).toEqual(states);
  });

  it('puts a served wheel before a yanked one, and the newest version first', () => {
    const matrix = projectMatrix(files, glibc);
    expect(matrix.versions).toEqual(['2.2', '2.1', '2.0', '1.0', '0.9']);
    expect(matrix.cells[0]![2]!.files.map((f) => f.filename)).toEqual(['x-2.2-py3-none-any.whl', 'x-2.2-cp311-cp311-linux_armv7l.whl']);
  });

  it('musl targets for the musl repository, every target for an unknown one', () => {
    const musl = repositoryTargets('musl');
    expect(musl.map((t) => t.id)).toEqual([...TARGETS.values()].filter((t) => t.libc === 'musl').map((t) => t.id));
    expect(repositoryTargets('custom')).toHaveLength(TARGETS.size);
    const row = projectMatrix(files, musl).cells[1]!;
    expect(row.map((c) => c.state)).toEqual(musl.map((t) => (t.id === 'musl-x86_64' ? 'built' : 'missing')));
  });

  it('reads platform tags from compressed tag sets', () => {
    expect(wheelPlatforms('a-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual(['manylinux_2_17_x86_64', 'manylinux2014_x86_64']);
  });
});

describe('RECORD', () => {
  it('parses paths (quoted with commas too), hashes and sizes', () => {
    const record = 'a/b.py,sha256=abc,12\n"a/with,comma.txt",sha256=def,3\nx-1.dist-info/RECORD,,\n';
    expect(parseRecord(record).files).toEqual([
      ['a/b.py', 12, 'sha256=abc'],
      ['a/with,comma.txt', 3, 'sha256=def'],
      ['x-1.dist-info/RECORD', null, null],
    ]);
  });
});

describe('browser routes (farm serve)', () => {
  it.each([
    ['/glibc/project/demo-pkg/', { kind: 'file', file: ['glibc', 'simple', 'demo-pkg', 'project.html'] }],
    ['/glibc/project/Demo_Pkg/', { kind: 'redirect', location: '../demo-pkg/' }],
    ['/glibc/project/demo-pkg', { kind: 'redirect', location: 'demo-pkg/' }],
    ['/glibc/project/demo-pkg/Demo_Pkg-1.0-py3-none-any.whl.html', { kind: 'file', file: ['glibc', 'project', 'demo-pkg', 'Demo_Pkg-1.0-py3-none-any.whl.html'] }],
    ['/glibc/project/demo-pkg/other.html', { kind: 'not-found' }],
    ['/glibc/projects/demo-pkg.json', { kind: 'file', file: ['glibc', 'projects', 'demo-pkg.json'], contentType: 'application/json' }],
    ['/glibc/projects/index.json', { kind: 'file', file: ['glibc', 'projects', 'index.json'] }],
    ['/glibc/projects/../x.json', { kind: 'bad-request' }],
    ['/glibc/projects/Bad_Name.json', { kind: 'not-found' }],
    ['/glibc/static/farm.css', { kind: 'file', contentType: 'text/css; charset=utf-8' }],
    ['/glibc/static/evil.sh', { kind: 'not-found' }],
    ['/glibc/go', { kind: 'go', repository: 'glibc' }],
  ])('%s', (url, expected) => {
    expect(routeRequest(url)).toMatchObject(expected);
  });

  it.each([
    ['Demo_Pkg', 'project/demo-pkg/'],
    ['  numpy ', 'project/numpy/'],
    ['../etc', './'],
    ['', './'],
    [null, './'],
  ])('go?q=%s → %s', (q, location) => {
    expect(goLocation(q)).toBe(location);
  });
});
