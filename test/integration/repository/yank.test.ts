import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../../src/errors.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { unyank, yank } from '../../../src/publishing/yank.js';
import { writeWheel } from './support/make-wheel.js';
import { tempDir } from './support/tree.js';

let root: string;
let work: string;
beforeEach(async () => {
  root = tempDir('yank');
  work = tempDir('yank-work');
  await addWheels({
    root,
    repository: 'glibc',
    paths: [
      writeWheel(work, { name: 'Yanky', version: '1.0' }),
      writeWheel(work, { name: 'Yanky', version: '1.0', tag: 'cp311-cp311-linux_x86_64' }),
      writeWheel(work, { name: 'Yanky', version: '2.0' }),
    ],
  });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

function pages() {
  const paths = repositoryPaths(root, 'glibc');
  return {
    html: fs.readFileSync(path.join(paths.simple, 'yanky', 'index.html'), 'utf8'),
    json: JSON.parse(fs.readFileSync(path.join(paths.simple, 'yanky', 'index.json'), 'utf8')) as {
      files: { filename: string; yanked?: unknown }[];
    },
    human: fs.readFileSync(path.join(paths.dir, 'projects', 'yanky.html'), 'utf8'),
  };
}

describe('yank / unyank (PEP 592)', () => {
  it('yanks every file of a version (any spelling of the name) and the index shows it', async () => {
    const result = await yank({ root, repository: 'glibc', project: 'YANKY', version: '2.0.0', reason: 'broken "ABI"' });
    expect(result.changed).toEqual(['yanky-2.0-py3-none-any.whl']);
    const { html, json, human } = pages();
    expect(html).toContain('data-yanked="broken &quot;ABI&quot;">yanky-2.0-py3-none-any.whl');
    expect(json.files.find((f) => f.filename === 'yanky-2.0-py3-none-any.whl')?.yanked).toBe('broken "ABI"');
    // The latest version for humans skips the yanked one.
    expect(human).toContain('<a href="../project/yanky/">Yanky</a></th><td>1.0</td>');

    await unyank({ root, repository: 'glibc', project: 'yanky', version: '2.0' });
    expect(pages().html).not.toContain('data-yanked');
  });

  it('yanks one file, without a reason', async () => {
    const result = await yank({ root, repository: 'glibc', project: 'yanky', file: 'Yanky-1.0-cp311-cp311-linux_x86_64.whl' });
    // Any spelling of the file finds it; it is stored under its canonical name.
    expect(result.changed).toEqual(['yanky-1.0-cp311-cp311-linux_x86_64.whl']);
    expect(pages().json.files.find((f) => f.filename.includes('cp311'))?.yanked).toBe(true);
    const again = await yank({ root, repository: 'glibc', project: 'yanky', file: 'Yanky-1.0-cp311-cp311-linux_x86_64.whl' });
    expect(again).toMatchObject({ changed: [], unchanged: ['yanky-1.0-cp311-cp311-linux_x86_64.whl'] });
  });

  it('names what is missing', async () => {
    await expect(yank({ root, repository: 'glibc', project: 'yanky', version: '9' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(yank({ root, repository: 'glibc', project: 'nope', version: '1.0' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(yank({ root, repository: 'glibc', project: 'yanky' })).rejects.toBeInstanceOf(UsageError);
  });
});
