import { describe, expect, it } from 'vitest';
import type { ResolveJobData } from '../../../../src/pipeline/contract/job-data.js';
import type { ResolvedSet } from '../../../../src/pipeline/contract/resolved-set.js';
import type { RepositoryPort } from '../../../../src/pipeline/contract/repository-port.js';
import { ResolveCache, resolveCacheKey } from '../../../../src/pipeline/target-jobs/resolve-cache.js';

const data: ResolveJobData = {
  requestId: 'r',
  target: 'glibc-x86_64',
  python: '3.11',
  repository: 'glibc',
  indexUrl: 'http://i/simple/',
  extraIndexUrls: [],
  requirementsText: 'a\n',
  constraintsText: '',
  recipes: {},
};
const set: ResolvedSet = {
  target: 'glibc-x86_64',
  python: '3.11',
  pipVersion: '23',
  environment: {},
  packages: [
    { name: 'a', displayName: 'a', version: '1.0', kind: 'sdist', url: 'u', filename: 'a-1.0.tar.gz', requiresDist: ['b'], requested: true, fromRepository: false },
    { name: 'b', displayName: 'b', version: '2.0', kind: 'wheel', url: 'u', filename: 'b-2.0-py3-none-any.whl', requiresDist: [], requested: false, fromRepository: false },
  ],
  buildEnvs: [],
};

function cache(pages: Record<string, string>, wheels: string[]) {
  const repo: RepositoryPort = {
    listWheels: async () => wheels,
    listWheelEntries: async () => wheels.map((filename) => ({ filename, sha256: '0'.repeat(64) })),
    collect: async () => ({ filename: '', added: false }),
    regenerateIndex: async () => {},
    wheelSource: () => ({ kind: 'directory', hostPath: '/x' }),
  };
  const fetchPage = async (url: string) => {
    const page = pages[url];
    if (page === undefined) throw new Error(`unreachable ${url}`);
    return page;
  };
  return new ResolveCache(null as never, repo, fetchPage);
}
const pages = { 'http://i/simple/a/': 'a page', 'http://i/simple/b/': 'b page' };

describe('resolve cache fingerprint', () => {
  it('ignores repository wheels of the pinned versions (what farm built from the resolution)', async () => {
    const before = await cache(pages, []).fingerprint(data, set);
    const after = await cache(pages, ['a-1.0-cp311-cp311-linux_x86_64.whl', 'b-2.0.0-py3-none-any.whl']).fingerprint(data, set);
    expect(before).toBeDefined();
    expect(after).toBe(before);
  });

  it('changes when an index page changes, or the repository has another version', async () => {
    const base = await cache(pages, []).fingerprint(data, set);
    expect(await cache({ ...pages, 'http://i/simple/b/': 'b page with 2.1' }, []).fingerprint(data, set)).not.toBe(base);
    expect(await cache(pages, ['a-1.1-py3-none-any.whl']).fingerprint(data, set)).not.toBe(base);
  });

  it('is unknown when a page can’t be fetched (pip must run)', async () => {
    expect(await cache({ 'http://i/simple/a/': 'a page' }, []).fingerprint(data, set)).toBeUndefined();
  });

  it('keys on every input pip saw besides the index and repository state', () => {
    const key = resolveCacheKey(data, 'sha256:img');
    expect(resolveCacheKey({ ...data }, 'sha256:img')).toBe(key);
    expect(resolveCacheKey(data, 'sha256:other')).not.toBe(key);
    expect(resolveCacheKey({ ...data, requirementsText: 'a\nc\n' }, 'sha256:img')).not.toBe(key);
    expect(resolveCacheKey({ ...data, extraIndexUrls: ['http://j/simple/'] }, 'sha256:img')).not.toBe(key);
    expect(resolveCacheKey({ ...data, python: '3.12' }, 'sha256:img')).not.toBe(key);
  });
});
