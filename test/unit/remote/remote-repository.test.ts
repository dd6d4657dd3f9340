import { describe, expect, it } from 'vitest';
import { RemoteRepository } from '../../../src/remote/remote-repository.js';
import type { ServedFile } from '../../../src/remote/served-index.js';
import type { UploadAnswer, UploadOptions } from '../../../src/remote/server-client.js';

const sha = (c: string) => c.repeat(64);

function fakes(published: Record<string, ServedFile[]>, answer: UploadAnswer) {
  const uploads: { repository: string; file: string; options: UploadOptions }[] = [];
  const client = {
    upload: async (repository: string, file: string, options: UploadOptions = {}) => {
      uploads.push({ repository, file, options });
      return answer;
    },
  };
  const index = {
    files: async (repository: string, project: string) => published[`${repository}/${project}`] ?? [],
    simpleUrl: (repository: string) => `https://farm.example/${repository}/simple/`,
  };
  return { uploads, repo: new RemoteRepository(client, index) };
}

describe('RemoteRepository', () => {
  it('lists what the served index publishes, each project once, with recipe hashes', async () => {
    const { repo } = fakes(
      {
        'glibc/a': [{ filename: 'a-1.0-py3-none-any.whl', sha256: sha('a'), url: 'u', recipeHash: 'sha256:r' }],
        'glibc/b': [{ filename: 'b-1.0-cp311-cp311-linux_x86_64.whl', sha256: sha('b'), url: 'u' }],
      },
      { filename: '', sha256: '', status: 'added' },
    );
    expect(await repo.listWheelEntries('glibc', ['a', 'b', 'a', 'missing'])).toEqual([
      { filename: 'a-1.0-py3-none-any.whl', sha256: sha('a'), recipeHash: 'sha256:r' },
      { filename: 'b-1.0-cp311-cp311-linux_x86_64.whl', sha256: sha('b') },
    ]);
    expect(await repo.listWheels('musl', ['a'])).toEqual([]);
  });

  it.each([
    ['added', true],
    ['unchanged', false],
  ])('collects by uploading (server says %s: added %s), with the target and provenance', async (status, added) => {
    const { repo, uploads } = fakes({}, { filename: 'x-1.0-1-py3-none-any.whl', sha256: sha('c'), status });
    const build = { target: 'glibc-armv7', recipeHash: 'sha256:r' } as never;
    expect(await repo.collect('glibc', '/w/x.whl', { filename: 'x-1.0-1-py3-none-any.whl', build })).toEqual({ filename: 'x-1.0-1-py3-none-any.whl', added });
    expect(uploads).toEqual([
      { repository: 'glibc', file: '/w/x.whl', options: { filename: 'x-1.0-1-py3-none-any.whl', provenance: build, target: 'glibc-armv7' } },
    ]);
  });

  it('containers read the served index; regenerating is the server\'s job', async () => {
    const { repo } = fakes({}, { filename: '', sha256: '', status: 'added' });
    expect(repo.wheelSource('musl')).toEqual({ kind: 'index', url: 'https://farm.example/musl/simple/' });
    await expect(repo.regenerateIndex()).resolves.toBeUndefined();
  });
});
