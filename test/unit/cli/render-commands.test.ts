import { describe, expect, it } from 'vitest';
import { selectRows } from '../../../src/cli/commands/logs.js';
import { accessLine } from '../../../src/cli/commands/serve.js';
import { renderBootstrapResults, renderImageList } from '../../../src/cli/render/image-results.js';
import { renderRequestList } from '../../../src/cli/render/request-list.js';
import { renderAdd, renderRegenerate, renderYank } from '../../../src/cli/render/repository-results.js';
import { makeStyle } from '../../../src/cli/render/style.js';
import type { BootstrapResult, ImageListRow } from '../../../src/images/index.js';
import type { RegenerateResult } from '../../../src/index/regenerate-index.js';
import { row } from './support/statuses.js';

const plain = makeStyle(false);

const boot = (partial: Partial<BootstrapResult>): BootstrapResult => ({
  target: 'glibc-x86_64',
  python: '3.11',
  image: 'farm/builder-glibc-x86_64:bootstrap-py3.11',
  status: 'skipped',
  reason: 'present',
  recipeHash: 'h',
  imageId: 'sha256:x',
  durationMs: 12,
  neededBy: undefined,
  logPath: undefined,
  ...partial,
});

const regen = (partial: Partial<RegenerateResult> = {}): RegenerateResult => ({
  repository: 'glibc',
  mode: 'incremental',
  projects: 3,
  projectsRendered: 1,
  projectsWritten: 1,
  projectsRemoved: 0,
  rootWritten: true,
  scanned: false,
  adopted: [],
  rejected: [],
  forgotten: [],
  altered: [],
  problems: [],
  durationMs: 4,
  ...partial,
});

describe('farm images renderers', () => {
  it('says when bootstrap had nothing to do', () => {
    const lines = renderBootstrapResults([boot({}), boot({ target: 'musl-x86_64', image: 'farm/builder-musl-x86_64:bootstrap-py3.11' })], plain);
    expect(lines.at(-1)).toBe('nothing to do: all 2 images are present and up to date (--force rebuilds)');
    expect(lines[1]).toBe('glibc-x86_64  3.11    farm/builder-glibc-x86_64:bootstrap-py3.11  skipped  present  12ms');
  });

  it('counts built images and says why a builder image was built', () => {
    const lines = renderBootstrapResults([boot({ status: 'built', reason: 'missing', neededBy: 'musl-x86_64', durationMs: 61_000 })], plain);
    expect(lines[1]).toContain('  built   missing; needed by musl-x86_64  1m01s');
    expect(lines.at(-1)).toBe('1 built, 0 already present');
  });

  it('lists images with a hint for the missing ones', () => {
    const rows: ImageListRow[] = [
      { target: 'glibc-x86_64', image: 'farm/builder-glibc-x86_64:bootstrap-py3.11', source: 'bootstrap', pythonVersions: ['3.11'], usedFor: ['3.11'], present: false },
      { target: 'glibc-aarch64', image: 'quay.io/pypa/manylinux_2_28_aarch64', source: 'official', pythonVersions: ['3.11'], usedFor: ['3.11'], present: true },
    ];
    expect(renderImageList(rows, plain)).toEqual([
      'TARGET         IMAGE                                       SOURCE     PYTHON  PRESENT',
      'glibc-x86_64   farm/builder-glibc-x86_64:bootstrap-py3.11  bootstrap  3.11    no',
      'glibc-aarch64  quay.io/pypa/manylinux_2_28_aarch64         official   3.11    yes',
      '',
      'hint: farm images bootstrap --targets glibc-x86_64',
    ]);
  });
});

describe('repository renderers', () => {
  it.each<[Partial<RegenerateResult>, string[]]>([
    [{}, ['glibc: incremental index, 3 projects, 1 page written in 4ms']],
    [
      {
        mode: 'full',
        projects: 1,
        projectsWritten: 2,
        adopted: [{ status: 'adopted', filename: 'a-1-py3-none-any.whl', project: 'a', version: '1', sha256: 'x', size: 1 }],
        rejected: [{ file: 'evil.whl', reason: 'not a zip' }],
      },
      [
        'glibc: full index, 1 project, 2 pages written, 1 adopted from packages/ in 4ms',
        '  adopted  a-1-py3-none-any.whl',
        '  rejected evil.whl: not a zip (left in place, not indexed)',
      ],
    ],
  ])('regenerate %o', (partial, lines) => expect(renderRegenerate(regen(partial), plain)).toEqual(lines));

  it('add', () => {
    expect(
      renderAdd(
        'musl',
        {
          collected: [
            { status: 'added', filename: 'a-1-py3-none-any.whl', project: 'a', version: '1', sha256: 'x', size: 1 },
            { status: 'unchanged', filename: 'b-1-py3-none-any.whl', project: 'b', version: '1', sha256: 'x', size: 1 },
          ],
          rejected: [{ file: '/x/c.whl', reason: 'bad' }],
          index: null,
        },
        plain,
      ),
    ).toEqual(['added     a-1-py3-none-any.whl', 'unchanged b-1-py3-none-any.whl', 'rejected  /x/c.whl: bad', 'musl: 1 added, 1 unchanged, 1 rejected']);
  });

  it('yank', () => {
    expect(renderYank('glibc', true, { changed: ['a.whl'], unchanged: ['b.whl'], index: null }, plain)).toEqual([
      'glibc: yanked a.whl',
      'glibc: already yanked b.whl',
    ]);
  });
});

describe('other renderers', () => {
  it('access log line', () => {
    expect(
      accessLine(
        { time: 't', method: 'GET', url: '/glibc/simple/a/', status: 200, accept: null, contentType: 'text/html', bytes: 10, durationMs: 1.5, remote: null, userAgent: null },
        plain,
      ),
    ).toBe('t GET /glibc/simple/a/ 200 text/html 10B 2ms');
  });

  it('request list', () => {
    const now = Date.parse('2025-01-01T00:10:00Z');
    expect(
      renderRequestList(
        [{ id: 'r2', state: 'building', origin: 'webhook', targets: ['glibc-x86_64', 'musl-x86_64'], createdAt: '2025-01-01T00:09:00Z', counts: { built: 1, queued: 2 } }],
        now,
        plain,
      ),
    ).toEqual(['REQUEST  STATE     ORIGIN   AGE        TARGETS                   PACKAGES', 'r2       building  webhook  1m00s ago  glibc-x86_64,musl-x86_64  1 built, 2 queued']);
    expect(renderRequestList([], now, plain)[0]).toMatch(/^no requests yet/);
  });
});

describe('farm logs row selection', () => {
  const rows = [
    row({ name: 'farmfix-a', target: 'glibc-x86_64', state: 'built' }),
    row({ name: 'farmfix-a', target: 'musl-x86_64', state: 'failed' }),
    row({ name: 'farmfix-a', target: 'musl-x86_64', state: 'built', python: '3.12' }),
    row({ name: 'other', target: 'musl-x86_64', state: 'cached' }),
  ];
  it.each<[string | undefined, { target?: string; python?: string }, number]>([
    [undefined, {}, 4],
    ['farmfix-a', {}, 3],
    ['Farmfix_A', {}, 3],
    ['farmfix-a', { target: 'musl-x86_64' }, 2],
    ['farmfix-a', { target: 'musl-x86_64', python: '3.12' }, 1],
    ['nope', {}, 0],
  ])('%s %o → %i rows', (pkg, options, count) => {
    expect(selectRows(rows, pkg, { ...options, follow: false })).toHaveLength(count);
  });
});
