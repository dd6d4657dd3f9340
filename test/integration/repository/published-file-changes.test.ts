/**
 * Issue 14, point 2: a published wheel overwritten by hand (`cp other/… packages/`)
 * is noticed by `farm index --full`, reported, and kept out of the index
 * until someone restores the file or replaces it with `farm add --replace`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths, type RepositoryPaths } from '../../../src/repository/repository-paths.js';
import { writeWheel } from './support/make-wheel.js';
import { sha256File, tempDir } from './support/tree.js';

let root: string;
let incoming: string;
let paths: RepositoryPaths;
let original: string;
let other: string;
const NAME = 'good-1.0-py3-none-any.whl';
beforeEach(async () => {
  root = tempDir('changes');
  incoming = tempDir('changes-in');
  paths = repositoryPaths(root, 'glibc');
  original = writeWheel(path.join(incoming, 'a'), { name: 'good', version: '1.0' });
  other = writeWheel(path.join(incoming, 'other'), { name: 'good', version: '1.0', flavour: 'other bytes' });
  writeWheel(path.join(incoming, 'a'), { name: 'fine', version: '2.0' });
  await addWheels({ root, repository: 'glibc', paths: [path.join(incoming, 'a')] });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

const indexedHashes = (project: string): string[] => {
  const file = path.join(paths.simple, project, 'index.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { files: { hashes: { sha256: string } }[] }).files.map((f) => f.hashes.sha256);
};

describe('a published wheel overwritten by hand', () => {
  it('is reported by a full index run and kept out of the index; restoring the file brings it back', async () => {
    fs.copyFileSync(other, path.join(paths.packages, NAME));
    const result = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(result.altered).toEqual([{ file: NAME, reason: expect.stringMatching(/sha256 .* recorded .*|size/) as unknown }]);
    expect(indexedHashes('good')).toEqual([]);
    expect(indexedHashes('fine')).toHaveLength(1);

    // An incremental run still reports it.
    expect((await regenerateIndex({ root, repository: 'glibc' })).altered).toHaveLength(1);

    fs.copyFileSync(original, path.join(paths.packages, NAME));
    const restored = await regenerateIndex({ root, repository: 'glibc' });
    expect(restored.altered).toEqual([]);
    expect(indexedHashes('good')).toEqual([sha256File(original)]);
  });

  it('notices a same-size rewrite by its hash', async () => {
    const file = path.join(paths.packages, NAME);
    const stat = fs.statSync(file);
    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 30) ^ 0xff, bytes.length - 30);
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, stat.atime, new Date(stat.mtimeMs + 1000));
    const result = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(result.altered.map((a) => a.file)).toEqual([NAME]);
  });

  it('farm add --replace takes the new bytes; farm add of the recorded bytes restores the file', async () => {
    fs.copyFileSync(other, path.join(paths.packages, NAME));
    await regenerateIndex({ root, repository: 'glibc', full: true });

    const restoredByAdd = await addWheels({ root, repository: 'glibc', paths: [original] });
    expect(restoredByAdd.collected).toMatchObject([{ status: 'restored', filename: NAME }]);
    expect(sha256File(path.join(paths.packages, NAME))).toBe(sha256File(original));
    expect(indexedHashes('good')).toEqual([sha256File(original)]);

    fs.copyFileSync(other, path.join(paths.packages, NAME));
    await regenerateIndex({ root, repository: 'glibc', full: true });
    const replaced = await addWheels({ root, repository: 'glibc', paths: [other], replace: true });
    expect(replaced.collected).toMatchObject([{ status: 'replaced', filename: NAME }]);
    expect(indexedHashes('good')).toEqual([sha256File(other)]);
    expect((await regenerateIndex({ root, repository: 'glibc', full: true })).altered).toEqual([]);
  });
});
