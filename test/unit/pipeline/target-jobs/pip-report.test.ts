import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/errors.js';
import { dependencyName } from '../../../../src/pipeline/contract/resolved-set.js';
import { parsePipReport } from '../../../../src/pipeline/target-jobs/pip-report.js';

const real = JSON.parse(readFileSync(new URL('../../../fixtures/pip-reports/glibc-x86_64-pip23.json', import.meta.url), 'utf8')) as {
  install: Record<string, unknown>[];
};

const item = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  download_info: { url, archive_info: { hashes: { sha256: 'a'.repeat(64) } } },
  is_direct: false,
  requested: true,
  metadata: { name, version: '1.0', metadata_version: '2.1' },
  ...extra,
});
const report = (install: unknown[], version = '1') => ({ version, pip_version: '23.0.1', install, environment: { platform_machine: 'x86_64' } });

describe('parsePipReport', () => {
  it('reads a real pip 23 report: names normalised, sdists and wheels told apart, hashes kept', () => {
    const set = parsePipReport(real, 'glibc-x86_64', '3.11');
    expect(set.packages.map((p) => [p.name, p.kind])).toEqual([
      ['farmfix-a', 'sdist'],
      ['farmfix-b', 'sdist'],
      ['farmfix-broken', 'sdist'],
      ['farmfix-c', 'sdist'],
      ['farmfix-cext', 'sdist'],
      ['farmfix-purewheel', 'wheel'],
      ['farmfix-x86only', 'sdist'],
    ]);
    const a = set.packages.find((p) => p.name === 'farmfix-a')!;
    expect(a).toMatchObject({ version: '1.0', requested: true, requiresDist: ['farmfix-b>=1.0'], filename: 'farmfix_a-1.0.tar.gz' });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(set.packages.find((p) => p.name === 'farmfix-b')!.requested).toBe(false);
    expect(set.environment['platform_machine']).toBe('x86_64');
  });

  it.each([
    ['legacy hash form', { download_info: { url: 'http://x/files/p-1.0.tar.gz', archive_info: { hash: 'sha256=' + 'b'.repeat(64) } } }, 'b'.repeat(64)],
    ['no hash at all', { download_info: { url: 'http://x/files/p-1.0.tar.gz' } }, undefined],
    ['md5 only', { download_info: { url: 'http://x/files/p-1.0.tar.gz', archive_info: { hash: 'md5=abc' } } }, undefined],
  ])('hash: %s', (_label, override, expected) => {
    const set = parsePipReport(report([item('P', 'unused', override)]), 't', '3.11');
    expect(set.packages[0]!.sha256).toBe(expected);
  });

  it('decodes the file name from the URL and ignores the fragment', () => {
    const set = parsePipReport(report([item('My.Pkg', 'http://x/files/my_pkg-1.0-py3-none-any.whl#sha256=00')]), 't', '3.11');
    expect(set.packages[0]).toMatchObject({ name: 'my-pkg', displayName: 'My.Pkg', kind: 'wheel', filename: 'my_pkg-1.0-py3-none-any.whl' });
  });

  it('accepts wheels from farm’s own repository mount, and no other local file', () => {
    const local = report([item('p', 'file:///repo/p-1.0-py3-none-any.whl')]);
    expect(parsePipReport(local, 't', '3.11', 'r', 'file:///repo/').packages[0]).toMatchObject({ fromRepository: true, kind: 'wheel' });
    expect(() => parsePipReport(local, 't', '3.11', 'r')).toThrow(ConfigError);
    expect(() => parsePipReport(report([item('p', 'file:///etc/p-1.0.tar.gz')]), 't', '3.11', 'r', 'file:///repo/')).toThrow(ConfigError);
  });

  it("a remote worker's repository is the served index: its wheels are farm's, upstream's are not", () => {
    const prefix = 'https://farm.example/glibc/packages/';
    const set = parsePipReport(
      report([item('p', `${prefix}p-1.0-cp311-cp311-linux_armv7l.whl`), item('q', 'https://pypi.example/files/q-1.0-py3-none-any.whl')]),
      't',
      '3.11',
      'r',
      prefix,
    );
    expect(set.packages.map((p) => [p.name, p.fromRepository])).toEqual([
      ['p', true],
      ['q', false],
    ]);
  });

  it('accepts report version "0" (pip 22.2/22.3) and refuses unknown versions', () => {
    expect(parsePipReport(report([], '0'), 't', '3.11').packages).toEqual([]);
    expect(() => parsePipReport(report([], '2'), 't', '3.11')).toThrow(ConfigError);
  });

  it('refuses direct references and unknown files, listing every one', () => {
    const bad = report([
      item('local', 'file:///src/local', { download_info: { url: 'file:///src/local', dir_info: {} } }),
      item('vcs', 'git+https://x/y', { download_info: { url: 'git+https://x/y', vcs_info: { vcs: 'git' } } }),
      item('odd', 'http://x/files/odd-1.0.exe'),
    ]);
    try {
      parsePipReport(bad, 't', '3.11', 'report');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.path)).toEqual(['install.0', 'install.1', 'install.2']);
    }
  });

  it('refuses a report that is not one', () => {
    expect(() => parsePipReport({ install: 'nope' }, 't', '3.11')).toThrow(ConfigError);
  });
});

describe('dependencyName', () => {
  it.each([
    ['farmfix-b>=1.0', 'farmfix-b'],
    ['Foo_Bar (>=2) ; python_version < "4"', 'foo-bar'],
    ['requests[socks]>=2', 'requests'],
    ['pytest ; extra == "test"', undefined],
    ['sphinx; extra=="docs" and python_version>"3"', undefined],
    ['name @ https://x/y.whl ; sys_platform == "linux"', 'name'],
    ['', undefined],
  ])('%s → %s', (input, expected) => {
    expect(dependencyName(input)).toBe(expected);
  });
});
