import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths, type RepositoryPaths } from '../../../src/repository/repository-paths.js';
import { wheelBytes, writeWheel } from './support/make-wheel.js';
import { sha256File, tempDir } from './support/tree.js';

interface JsonPage {
  files: { filename: string; hashes: { sha256: string }; size: number; 'core-metadata': { sha256: string } }[];
}

let root: string;
let drop: string;
let paths: RepositoryPaths;
beforeEach(() => {
  root = tempDir('adopt');
  drop = tempDir('scp');
  paths = repositoryPaths(root, 'glibc');
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(drop, { recursive: true, force: true });
});

function page(project: string): JsonPage {
  return JSON.parse(fs.readFileSync(path.join(paths.simple, project, 'index.json'), 'utf8')) as JsonPage;
}

function listed(): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(paths.simple, 'index.json'), 'utf8')) as { projects: { name: string }[] };
  return root.projects.map((p) => p.name);
}

describe('wheels dropped into packages/ by hand (scp, cp)', () => {
  it('appear in the index after `farm index`, with the hashes of the files; bad ones are reported, kept, not indexed', async () => {
    // An existing repository, as farm left it.
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(path.join(drop, 'collected'), { name: 'collected', version: '1.0' })] });

    // A directory of wheels, some good, some not, copied in with plain cp.
    const good = [
      writeWheel(drop, { name: 'alpha', version: '1.0', requiresPython: '>=3.7' }),
      writeWheel(drop, { name: 'alpha', version: '1.1' }),
      writeWheel(drop, { name: 'Beta_Pkg', version: '0.3' }),
    ];
    const liar = writeWheel(drop, { name: 'liar', version: '1.0', metadataName: 'somebody-else' });
    const garbage = path.join(drop, 'garbage-1.0-py3-none-any.whl');
    fs.writeFileSync(garbage, 'not a zip at all');
    const notAWheel = path.join(drop, 'notes.txt');
    fs.writeFileSync(notAWheel, 'hello');
    execFileSync('cp', [...good, liar, garbage, notAWheel, paths.packages]);

    const result = await regenerateIndex({ root, repository: 'glibc' });
    expect(result.scanned).toBe(true);
    // Stored under their canonical names (issue 14, point 1).
    expect(result.adopted.map((w) => w.filename).sort()).toEqual(good.map((g) => path.basename(g).toLowerCase()).sort());
    expect(result.adopted.every((w) => w.status === 'adopted')).toBe(true);
    expect(result.rejected).toEqual([
      { file: 'garbage-1.0-py3-none-any.whl', reason: expect.stringMatching(/not a readable zip/) as unknown },
      { file: 'liar-1.0-py3-none-any.whl', reason: expect.stringMatching(/METADATA names project 'somebody-else'/) as unknown },
    ]);

    // Indexed with the sha256 and size of the actual files, and a .metadata each.
    expect(listed()).toEqual(['alpha', 'Beta_Pkg', 'collected']);
    for (const [project, files] of [
      ['alpha', good.slice(0, 2)],
      ['beta-pkg', good.slice(2)],
    ] as const) {
      const entries = page(project).files;
      expect(entries.map((f) => f.filename)).toEqual(files.map((f) => path.basename(f).toLowerCase()));
      for (const [i, f] of files.entries()) {
        const published = path.join(paths.packages, path.basename(f).toLowerCase());
        expect(entries[i]!.hashes.sha256).toBe(sha256File(f));
        expect(entries[i]!.size).toBe(fs.statSync(f).size);
        expect(entries[i]!['core-metadata'].sha256).toBe(sha256File(`${published}.metadata`));
      }
    }
    const html = fs.readFileSync(path.join(paths.simple, 'alpha', 'index.html'), 'utf8');
    expect(html).toContain(`alpha-1.0-py3-none-any.whl#sha256=${sha256File(good[0]!)}`);

    // Nothing deleted: the rejected files are still there, untouched; no page for them.
    expect(fs.readFileSync(path.join(paths.packages, 'garbage-1.0-py3-none-any.whl'), 'utf8')).toBe('not a zip at all');
    expect(sha256File(path.join(paths.packages, 'liar-1.0-py3-none-any.whl'))).toBe(sha256File(liar));
    expect(fs.existsSync(path.join(paths.packages, 'notes.txt'))).toBe(true);
    expect(fs.existsSync(path.join(paths.simple, 'liar'))).toBe(false);
    expect(fs.existsSync(path.join(paths.simple, 'garbage'))).toBe(false);

    // The next run doesn't list packages/ again, still reports the rejects.
    const again = await regenerateIndex({ root, repository: 'glibc' });
    expect(again).toMatchObject({ scanned: false, adopted: [], projectsWritten: 0 });
    expect(again.rejected.map((r) => r.file)).toEqual(['garbage-1.0-py3-none-any.whl', 'liar-1.0-py3-none-any.whl']);
  });

  it('a wheel still being uploaded is adopted once it is complete (the directory mtime does not change)', async () => {
    fs.mkdirSync(paths.packages, { recursive: true });
    const bytes = wheelBytes({ name: 'slow', version: '1.0' });
    const target = path.join(paths.packages, 'slow-1.0-py3-none-any.whl');
    fs.writeFileSync(target, bytes.subarray(0, 100));
    const first = await regenerateIndex({ root, repository: 'glibc' });
    expect(first.rejected).toEqual([{ file: 'slow-1.0-py3-none-any.whl', reason: expect.stringMatching(/zip/) as unknown }]);

    fs.appendFileSync(target, bytes.subarray(100));
    fs.utimesSync(target, new Date(), new Date(Date.now() + 2000));
    const second = await regenerateIndex({ root, repository: 'glibc' });
    expect(second.scanned).toBe(false);
    expect(second.adopted.map((w) => w.filename)).toEqual(['slow-1.0-py3-none-any.whl']);
    expect(second.rejected).toEqual([]);
    expect(page('slow').files[0]!.hashes.sha256).toBe(sha256File(target));
  });

  it('a wheel deleted by hand is forgotten; --full rebuilds the same index from the inventory', async () => {
    await addWheels({
      root,
      repository: 'glibc',
      paths: [writeWheel(drop, { name: 'keep', version: '1.0' }), writeWheel(drop, { name: 'gone', version: '1.0' })],
    });
    fs.rmSync(path.join(paths.packages, 'gone-1.0-py3-none-any.whl'));
    const result = await regenerateIndex({ root, repository: 'glibc' });
    expect(result.forgotten).toEqual(['gone-1.0-py3-none-any.whl']);
    expect(result.projectsRemoved).toBe(1);
    expect(fs.existsSync(path.join(paths.simple, 'gone'))).toBe(false);
    expect(fs.existsSync(path.join(paths.packages, 'gone-1.0-py3-none-any.whl.metadata'))).toBe(false);
    expect(listed()).toEqual(['keep']);

    // Damage the published tree; a full regeneration repairs it from the inventory.
    const keepPage = path.join(paths.simple, 'keep', 'index.html');
    const good = fs.readFileSync(keepPage, 'utf8');
    fs.writeFileSync(keepPage, 'vandalised');
    fs.mkdirSync(path.join(paths.simple, 'stale-project'));
    fs.writeFileSync(path.join(paths.simple, 'stale-project', 'index.html'), 'old');
    const full = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(full.mode).toBe('full');
    expect(fs.readFileSync(keepPage, 'utf8')).toBe(good);
    expect(fs.existsSync(path.join(paths.simple, 'stale-project'))).toBe(false);
  });

  it('takes over a dumb-pypi tree: its pypi/ directory becomes the link to simple/', async () => {
    fs.mkdirSync(path.join(paths.dir, 'pypi', 'old-project'), { recursive: true });
    fs.writeFileSync(path.join(paths.dir, 'pypi', 'old-project', 'json'), '{}');
    fs.mkdirSync(path.join(paths.simple, 'old-project'), { recursive: true });
    fs.writeFileSync(path.join(paths.simple, 'old-project', 'index.html'), 'dumb-pypi page');
    fs.mkdirSync(paths.packages);
    execFileSync('cp', [writeWheel(drop, { name: 'old_project', version: '1.0' }), paths.packages]);

    const result = await regenerateIndex({ root, repository: 'glibc' });
    expect(result.adopted).toHaveLength(1);
    expect(fs.readlinkSync(paths.pypi)).toBe('simple');
    const legacy = JSON.parse(fs.readFileSync(path.join(paths.pypi, 'old-project', 'json'), 'utf8')) as { info: { version: string } };
    expect(legacy.info.version).toBe('1.0');
    expect(fs.readFileSync(path.join(paths.simple, 'old-project', 'index.html'), 'utf8')).toContain('old_project-1.0-py3-none-any.whl');
  });

  it('a .metadata deleted by hand is published again, the record kept', async () => {
    await addWheels({ root, repository: 'glibc', paths: [writeWheel(drop, { name: 'meta', version: '1.0' })] });
    const metadata = path.join(paths.packages, 'meta-1.0-py3-none-any.whl.metadata');
    const bytes = fs.readFileSync(metadata);
    const record = fs.readFileSync(path.join(paths.inventory, 'meta.json'), 'utf8');
    fs.rmSync(metadata);
    const result = await regenerateIndex({ root, repository: 'glibc' });
    expect(result.adopted).toMatchObject([{ filename: 'meta-1.0-py3-none-any.whl', status: 'unchanged' }]);
    expect(fs.readFileSync(metadata).equals(bytes)).toBe(true);
    expect(fs.readFileSync(path.join(paths.inventory, 'meta.json'), 'utf8')).toBe(record);
  });
});

// Issue 14, point 4: a symlink in packages/ is never adopted, wherever it points.
describe('symlinks dropped into packages/', () => {
  it('are refused at adoption, left in place and not indexed', async () => {
    fs.mkdirSync(paths.packages, { recursive: true });
    const outside = writeWheel(drop, { name: 'outside', version: '1.0' });
    fs.symlinkSync(outside, path.join(paths.packages, 'outside-1.0-py3-none-any.whl'));
    const result = await regenerateIndex({ root, repository: 'glibc', full: true });
    expect(result.adopted).toEqual([]);
    expect(result.rejected).toEqual([{ file: 'outside-1.0-py3-none-any.whl', reason: expect.stringMatching(/symbolic link/) as unknown }]);
    expect(fs.lstatSync(path.join(paths.packages, 'outside-1.0-py3-none-any.whl')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(paths.simple, 'outside'))).toBe(false);
  });
});
