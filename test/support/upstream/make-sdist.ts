/**
 * Turns a fixture source directory into an sdist (`name-version.tar.gz`, PEP
 * 625 naming) without any Python build tool: a deterministic tar.gz of the
 * tree under `name-version/`, plus a minimal PKG-INFO. Same sources, same
 * bytes, same sha256, so test indexes are reproducible.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/** Name and version read from a fixture's pyproject.toml `[project]` table. */
export interface ProjectInfo {
  name: string;
  version: string;
  description: string;
  requiresPython: string | undefined;
  dependencies: string[];
}

/** Reads `[project]` name/version/description/dependencies with simple patterns (fixtures only). */
export async function readProjectInfo(sourceDir: string): Promise<ProjectInfo> {
  const text = await readFile(path.join(sourceDir, 'pyproject.toml'), 'utf8');
  const field = (key: string) => new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(text)?.[1];
  const name = field('name');
  const version = field('version');
  if (name === undefined || version === undefined) throw new Error(`${sourceDir}: pyproject.toml needs name and version`);
  const deps = /^dependencies\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1];
  return {
    name,
    version,
    description: field('description') ?? '',
    requiresPython: field('requires-python'),
    dependencies: deps === undefined ? [] : [...deps.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
  };
}

/** Core metadata (PKG-INFO / METADATA) for a fixture. */
export function coreMetadata(info: ProjectInfo): string {
  return [
    'Metadata-Version: 2.1',
    `Name: ${info.name}`,
    `Version: ${info.version}`,
    `Summary: ${info.description}`,
    ...(info.requiresPython === undefined ? [] : [`Requires-Python: ${info.requiresPython}`]),
    ...info.dependencies.map((d) => `Requires-Dist: ${d}`),
    '',
    '',
  ].join('\n');
}

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === '__pycache__' || entry.name.endsWith('.egg-info') || entry.name === 'build') continue;
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(root, rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/** The distribution-name part of sdist and wheel filenames (PEP 625 / PEP 427). */
export function distributionName(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/** Builds the sdist into `outDir`; returns its filename and sha256. */
export async function makeSdist(sourceDir: string, outDir: string): Promise<{ filename: string; sha256: string; info: ProjectInfo }> {
  const info = await readProjectInfo(sourceDir);
  const base = `${distributionName(info.name)}-${info.version}`;
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  const entry = (name: string, content: Buffer) =>
    new Promise<void>((resolve, reject) =>
      tar.entry({ name: `${base}/${name}`, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, content, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  await entry('PKG-INFO', Buffer.from(coreMetadata(info)));
  for (const file of await listFiles(sourceDir)) await entry(file, await readFile(path.join(sourceDir, file)));
  tar.finalize();
  await ended;
  const bytes = gzipSync(Buffer.concat(chunks), { level: 9 });
  // gzip's header carries an mtime and OS byte; zero them for reproducible bytes.
  bytes.writeUInt32LE(0, 4);
  bytes[9] = 255;
  const filename = `${base}.tar.gz`;
  await writeFile(path.join(outDir, filename), bytes);
  return { filename, sha256: createHash('sha256').update(bytes).digest('hex'), info };
}
