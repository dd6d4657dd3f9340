import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeWheel } from './support/make-wheel.js';
import { sha256File, tempDir } from './support/tree.js';

let root: string;
let incoming: string;
beforeEach(() => {
  root = tempDir('identity');
  incoming = tempDir('identity-in');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

const projectJson = (project: string): { versions: string[]; files: { filename: string; hashes: { sha256: string } }[] } =>
  JSON.parse(fs.readFileSync(path.join(repositoryPaths(root, 'glibc').simple, project, 'index.json'), 'utf8'));

// Issue 14, point 1: the identity of a file is (name, PEP 440 version, build tag, tags), not its spelling.
describe('wheel identity in a repository', () => {
  it('refuses a second file of the same release and tags under another spelling, with different bytes', async () => {
    const first = writeWheel(path.join(incoming, 'a'), { name: 'good', version: '1.0' });
    expect((await addWheels({ root, repository: 'glibc', paths: [first] })).rejected).toEqual([]);
    const original = sha256File(first);

    const spellings = [
      'Good-1.0-py3-none-any.whl',
      'GOOD-01.0-py3-none-any.whl',
      'good-1.0.0-py3-none-any.whl',
      'good-1.0-py3-none-any.py3.whl',
      'good-1.0-py3.py3-none-any.whl',
    ];
    for (const [i, name] of spellings.entries()) {
      const other = writeWheel(path.join(incoming, `v${i}`), { name: 'good', version: '1.0', flavour: `evil ${i}` }, name);
      const result = await addWheels({ root, repository: 'glibc', paths: [other] });
      expect(result.collected, name).toEqual([]);
      expect(result.rejected, name).toHaveLength(1);
      expect(result.rejected[0]!.reason, name).toMatch(/immutable.*as good-1\.0-py3-none-any\.whl/);
    }
    const paths = repositoryPaths(root, 'glibc');
    expect(fs.readdirSync(paths.packages).sort()).toEqual(['good-1.0-py3-none-any.whl', 'good-1.0-py3-none-any.whl.metadata']);
    const json = projectJson('good');
    expect(json.versions).toEqual(['1.0']);
    expect(json.files.map((f) => f.hashes.sha256)).toEqual([original]);
  });

  it('stores names in canonical form, keeps one spelling per version, and treats the same bytes as a no-op', async () => {
    const spelled = writeWheel(path.join(incoming, 'a'), { name: 'My.Pkg', version: '1.0.0' }, 'My.Pkg-1.0.0-PY3-none-any.whl');
    const added = await addWheels({ root, repository: 'glibc', paths: [spelled] });
    expect(added.collected).toMatchObject([{ status: 'added', filename: 'my_pkg-1.0.0-py3-none-any.whl' }]);

    // Same bytes under yet another spelling: nothing new.
    const copy = path.join(incoming, 'my_pkg-1.0-py3-none-any.whl');
    fs.copyFileSync(spelled, copy);
    const again = await addWheels({ root, repository: 'glibc', paths: [copy] });
    expect(again.collected).toMatchObject([{ status: 'unchanged', filename: 'my_pkg-1.0.0-py3-none-any.whl' }]);

    // Another tag of an equal version takes the spelling already in use.
    const py2 = writeWheel(path.join(incoming, 'b'), { name: 'my_pkg', version: '1.0', tag: 'py2-none-any' });
    const other = await addWheels({ root, repository: 'glibc', paths: [py2] });
    expect(other.collected).toMatchObject([{ status: 'added', filename: 'my_pkg-1.0.0-py2-none-any.whl' }]);
    expect(projectJson('my-pkg').versions).toEqual(['1.0.0']);
  });

  it('--replace swaps the bytes of a release whatever spelling the new file has', async () => {
    const first = writeWheel(path.join(incoming, 'a'), { name: 'good', version: '1.0' });
    await addWheels({ root, repository: 'glibc', paths: [first] });
    const fixed = writeWheel(path.join(incoming, 'b'), { name: 'good', version: '1.0', flavour: 'fixed' }, 'Good-1.0.0-py3-none-any.whl');
    const result = await addWheels({ root, repository: 'glibc', paths: [fixed], replace: true });
    expect(result.collected).toMatchObject([{ status: 'replaced', filename: 'good-1.0-py3-none-any.whl' }]);
    const paths = repositoryPaths(root, 'glibc');
    expect(fs.readdirSync(paths.packages).sort()).toEqual(['good-1.0-py3-none-any.whl', 'good-1.0-py3-none-any.whl.metadata']);
    expect(readProjectInventory(paths, 'good')!.files.map((f) => f.sha256)).toEqual([sha256File(fixed)]);
  });
});

// Issue 14, point 3: the .dist-info directory must name the wheel's own project and version.
describe('a wheel whose .dist-info names another project', () => {
  it('is rejected at collection and nothing is written', async () => {
    const liar = writeWheel(incoming, { name: 'dimm', version: '1.0', distInfo: 'other-9.9' });
    const result = await addWheels({ root, repository: 'glibc', paths: [liar] });
    expect(result.collected).toEqual([]);
    expect(result.rejected[0]!.reason).toMatch(/other-9\.9\.dist-info.*dimm/);
    const packages = repositoryPaths(root, 'glibc').packages;
    expect(fs.existsSync(packages) ? fs.readdirSync(packages) : []).toEqual([]);
  });

  it('accepts a .dist-info spelled differently but naming the same project and version', async () => {
    const fine = writeWheel(incoming, { name: 'Dimm_X', version: '1.0.0', distInfo: 'dimm.x-1.0' });
    expect((await addWheels({ root, repository: 'glibc', paths: [fine] })).rejected).toEqual([]);
  });
});
