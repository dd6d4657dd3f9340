import { describe, expect, it } from 'vitest';
import { REPOSITORY_MOUNT, repositoryAccess } from '../../../../src/pipeline/target-jobs/wheel-source-access.js';
import { indexOptions } from '../../../../src/pipeline/target-jobs/pip-commands.js';

describe('repositoryAccess', () => {
  it('mounts a directory read-only and passes it as --find-links', () => {
    expect(repositoryAccess({ kind: 'directory', hostPath: '/srv/farm/glibc/packages' })).toEqual({
      mounts: [{ hostPath: '/srv/farm/glibc/packages', containerPath: REPOSITORY_MOUNT }],
      findLinks: [REPOSITORY_MOUNT],
      indexUrls: [],
      urlPrefix: 'file:///repo/',
    });
  });

  it.each([
    ['https://farm.example/glibc/simple/', 'https://farm.example/glibc/packages/'],
    ['http://127.0.0.1:8080/glibc/simple/', 'http://127.0.0.1:8080/glibc/packages/'],
    ['http://172.17.0.1:8080/musl/simple/', 'http://172.17.0.1:8080/musl/packages/'],
  ])('an index %s: no mount, its files under %s', (url, prefix) => {
    expect(repositoryAccess({ kind: 'index', url })).toEqual({ mounts: [], findLinks: [], indexUrls: [url], urlPrefix: prefix });
  });

  it('resolution adds the served index after the upstream ones', () => {
    const argv = indexOptions('https://pypi.org/simple/', ['https://extra/simple/'], repositoryAccess({ kind: 'index', url: 'http://10.0.0.5:8000/glibc/simple/' }));
    expect(argv).toEqual([
      '--index-url', 'https://pypi.org/simple/',
      '--extra-index-url', 'https://extra/simple/',
      '--extra-index-url', 'http://10.0.0.5:8000/glibc/simple/',
    ]);
  });
});
