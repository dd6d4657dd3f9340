import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingFileError, WheelRejectedError } from '../../../src/errors.js';
import { collectWheel } from '../../../src/repository/add-wheels.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { wheelBytes, writeWheel } from './support/make-wheel.js';
import { sha256File, snapshot, tempDir } from './support/tree.js';

/** `base/x/y/root`: anything `../../` from the repository still lands inside `base`, where the test looks. */
let base: string;
let root: string;
let incoming: string;
beforeEach(() => {
  base = tempDir('collect');
  root = path.join(base, 'x', 'y', 'root');
  fs.mkdirSync(root, { recursive: true });
  incoming = tempDir('incoming');
});
afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
  fs.rmSync(incoming, { recursive: true, force: true });
});

async function rejection(work: Promise<unknown>): Promise<WheelRejectedError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WheelRejectedError);
  return error as WheelRejectedError;
}

async function zipEntry(file: string, name: string): Promise<Buffer> {
  const zip = await yauzl.openPromise(file, { autoClose: false });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === name) {
        const chunks: Buffer[] = [];
        for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      }
    }
  } finally {
    zip.close();
  }
  throw new Error(`${name} not in ${file}`);
}

describe('collecting a wheel', () => {
  it('publishes the wheel and its PEP 658 .metadata and records it', async () => {
    const source = writeWheel(incoming, {
      name: 'Farm_Demo',
      version: '1.0',
      requiresPython: '>=3.8',
      requiresDist: ['six>=1.0'],
      summary: 'demo',
    });
    const result = await addWheels({ root, repository: 'glibc', paths: [source] });
    expect(result.rejected).toEqual([]);
    expect(result.collected).toMatchObject([{ status: 'added', project: 'farm-demo', version: '1.0' }]);

    const paths = repositoryPaths(root, 'glibc');
    // Stored under the canonical name (issue 14, point 1).
    const published = path.join(paths.packages, 'farm_demo-1.0-py3-none-any.whl');
    expect(sha256File(published)).toBe(sha256File(source));
    const metadata = fs.readFileSync(`${published}.metadata`);
    expect(metadata.equals(await zipEntry(source, 'Farm_Demo-1.0.dist-info/METADATA'))).toBe(true);

    const record = readProjectInventory(paths, 'farm-demo')!.files[0]!;
    expect(record).toMatchObject({
      filename: 'farm_demo-1.0-py3-none-any.whl',
      sha256: sha256File(source),
      size: fs.statSync(source).size,
      requiresPython: '>=3.8',
      requiresDist: ['six>=1.0'],
      summary: 'demo',
      metadataSha256: sha256File(`${published}.metadata`),
      yanked: false,
      origin: 'collected',
    });
    expect(Date.parse(record.uploadTime)).toBeGreaterThan(Date.now() - 60_000);
    // No temp files left anywhere.
    expect(Object.keys(snapshot(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  describe('a traversal filename is refused before anything is written', () => {
    const names = [
      '../escaped-1.0-py3-none-any.whl',
      '../../escaped-1.0-py3-none-any.whl',
      '/tmp/escaped-1.0-py3-none-any.whl',
      '..\\escaped-1.0-py3-none-any.whl',
      'escaped-1.0-py3-none-any.whl\0',
      '..',
    ];
    it.each(names)('%j', async (filename) => {
      const source = writeWheel(incoming, { name: 'escaped', version: '1.0' });
      await addWheels({ root, repository: 'glibc', paths: [writeWheel(incoming, { name: 'other', version: '1.0' })] });
      const before = snapshot(base);
      const error = await rejection(collectWheel({ root, repository: 'glibc', file: source, filename }));
      expect(error.reason).toMatch(/path separator|NUL|parent-directory/);
      expect(snapshot(base)).toEqual(before);
      expect(fs.existsSync('/tmp/escaped-1.0-py3-none-any.whl')).toBe(false);
    });

    it('a source file whose own name contains a backslash', async () => {
      const source = writeWheel(incoming, { name: 'escaped', version: '1.0' }, '..\\escaped-1.0-py3-none-any.whl');
      const result = await addWheels({ root, repository: 'glibc', paths: [source], index: false });
      expect(result.collected).toEqual([]);
      expect(result.rejected[0]!.reason).toMatch(/path separator/);
      expect(fs.existsSync(path.join(root, 'glibc', 'packages'))).toBe(false);
    });
  });

  describe('a wheel whose METADATA disagrees with its filename is refused', () => {
    const cases = [
      { what: 'another project', spec: { name: 'honest', version: '1.0', metadataName: 'impostor' }, reason: /METADATA names project 'impostor'/ },
      { what: 'another version', spec: { name: 'honest', version: '1.0', metadataVersion: '2.0' }, reason: /METADATA says version '2.0'/ },
    ];
    it.each(cases)('$what', async ({ spec, reason }) => {
      await addWheels({ root, repository: 'glibc', paths: [writeWheel(incoming, { name: 'other', version: '1.0' })] });
      const before = snapshot(root);
      const source = writeWheel(incoming, spec);
      const result = await addWheels({ root, repository: 'glibc', paths: [source] });
      expect(result.collected).toEqual([]);
      expect(result.rejected).toEqual([{ file: source, reason: expect.stringMatching(reason) as unknown }]);
      expect(snapshot(root)).toEqual(before);
    });

    it('accepts a METADATA version that is the same PEP 440 version spelt differently', async () => {
      const source = writeWheel(incoming, { name: 'honest', version: '1.0', metadataVersion: '1.0.0', metadataName: 'Honest' });
      const result = await addWheels({ root, repository: 'glibc', paths: [source] });
      expect(result.collected).toHaveLength(1);
    });
  });

  it('refuses files that are not wheels inside: garbage, no METADATA', async () => {
    const garbage = path.join(incoming, 'garbage-1.0-py3-none-any.whl');
    fs.writeFileSync(garbage, 'this is not a zip');
    const truncated = path.join(incoming, 'truncated-1.0-py3-none-any.whl');
    fs.writeFileSync(truncated, wheelBytes({ name: 'truncated', version: '1.0' }).subarray(0, 200));
    const result = await addWheels({ root, repository: 'glibc', paths: [garbage, truncated] });
    expect(result.collected).toEqual([]);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/not a readable zip/),
      expect.stringMatching(/not a readable zip/),
    ]);
    const packages = path.join(root, 'glibc', 'packages');
    expect(fs.existsSync(packages) ? fs.readdirSync(packages) : []).toEqual([]);
  });

  it('a different file under an existing name is refused; the first stays; replace overwrites deliberately', async () => {
    const first = writeWheel(path.join(incoming, 'a'), { name: 'immutable', version: '1.0', flavour: 'first' });
    const second = writeWheel(path.join(incoming, 'b'), { name: 'immutable', version: '1.0', flavour: 'second' });
    await addWheels({ root, repository: 'glibc', paths: [first] });
    const before = snapshot(root);

    const error = await rejection(collectWheel({ root, repository: 'glibc', file: second }));
    expect(error.reason).toMatch(/wheels are immutable: a different file of the same release and tags is already in repository 'glibc'/);
    expect(error.hint).toMatch(/--replace/);
    expect(snapshot(root)).toEqual(before);

    const replaced = await collectWheel({ root, repository: 'glibc', file: second, replace: true });
    expect(replaced.status).toBe('replaced');
    const paths = repositoryPaths(root, 'glibc');
    expect(sha256File(path.join(paths.packages, 'immutable-1.0-py3-none-any.whl'))).toBe(sha256File(second));
    expect(readProjectInventory(paths, 'immutable')!.files.map((f) => f.sha256)).toEqual([sha256File(second)]);
  });

  it('the same bytes again are a no-op, reported as such', async () => {
    const source = writeWheel(incoming, { name: 'same', version: '1.0' });
    await addWheels({ root, repository: 'glibc', paths: [source] });
    const before = snapshot(root);
    const wheel = path.join(root, 'glibc', 'packages', 'same-1.0-py3-none-any.whl');
    const mtime = fs.statSync(wheel).mtimeMs;
    const again = await addWheels({ root, repository: 'glibc', paths: [source] });
    expect(again.collected).toMatchObject([{ status: 'unchanged' }]);
    expect(again.index).toMatchObject({ projectsWritten: 0, rootWritten: false });
    expect(snapshot(root)).toEqual(before);
    expect(fs.statSync(wheel).mtimeMs).toBe(mtime);
  });

  it('records how farm built a wheel; a rebuild goes in under a new name (build tag), never over the first', async () => {
    const A = `sha256:${'a'.repeat(64)}`;
    const B = `sha256:${'b'.repeat(64)}`;
    const first = writeWheel(path.join(incoming, 'a'), { name: 'built', version: '1.0', flavour: 'first' });
    const second = writeWheel(path.join(incoming, 'b'), { name: 'built', version: '1.0', flavour: 'second' });
    const added = writeWheel(path.join(incoming, 'c'), { name: 'added', version: '1.0' });
    await collectWheel({ root, repository: 'glibc', file: first, build: { recipeHash: A, image: 'img@sha256:1' } });
    await addWheels({ root, repository: 'glibc', paths: [added] });
    await collectWheel({ root, repository: 'glibc', file: second, filename: 'built-1.0-1-py3-none-any.whl', build: { recipeHash: B } });
    const paths = repositoryPaths(root, 'glibc');
    const builds = () => Object.fromEntries(readProjectInventory(paths, 'built')!.files.map((f) => [f.filename, f.build]));
    expect(builds()).toEqual({
      'built-1.0-py3-none-any.whl': { recipeHash: A, image: 'img@sha256:1' },
      'built-1.0-1-py3-none-any.whl': { recipeHash: B },
    });
    expect(sha256File(path.join(paths.packages, 'built-1.0-py3-none-any.whl'))).toBe(sha256File(first));
    expect(readProjectInventory(paths, 'added')!.files[0]!.build).toBeUndefined();

    // The same bytes from another recipe: still a no-op for the file, the record learns the new recipe.
    const again = await collectWheel({ root, repository: 'glibc', file: first, build: { recipeHash: B } });
    expect(again.status).toBe('unchanged');
    expect(builds()['built-1.0-py3-none-any.whl']).toEqual({ recipeHash: B });

    // A malformed provenance is refused before anything is written.
    const before = snapshot(root);
    await expect(collectWheel({ root, repository: 'glibc', file: second, filename: 'built-1.0-2-py3-none-any.whl', build: { recipeHash: 'nope' } })).rejects.toThrow(/recipeHash/);
    expect(snapshot(root)).toEqual(before);
  });

  it('a missing source is a MissingFileError before anything happens', async () => {
    await expect(addWheels({ root, repository: 'glibc', paths: [path.join(incoming, 'nope.whl')] })).rejects.toBeInstanceOf(
      MissingFileError,
    );
    expect(fs.existsSync(path.join(root, 'glibc'))).toBe(false);
  });

  it('a directory argument collects every wheel below it', async () => {
    writeWheel(path.join(incoming, 'x'), { name: 'one', version: '1.0' });
    writeWheel(path.join(incoming, 'x', 'deeper'), { name: 'two', version: '2.0' });
    fs.writeFileSync(path.join(incoming, 'x', 'README.txt'), 'not a wheel');
    const result = await addWheels({ root, repository: 'musl', paths: [incoming] });
    expect(result.collected.map((c) => c.project).sort()).toEqual(['one', 'two']);
    expect(result.index?.projects).toBe(2);
  });
});
