/**
 * What the fault suite checks in a repository after a fault: the wheels in
 * `packages/` against the inventory (lost, duplicated, bytes that differ),
 * files that are neither wheels nor their metadata (partial copies, temp
 * files), and whether the served index is valid: every page parses and
 * lists exactly the inventory's files with their sha256, and the root page
 * lists exactly the projects that have files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryPaths } from '../../src/repository/repository-paths.js';
import { parseWheelFilename } from '../../src/wheels/wheel-filename.js';

export interface Audit {
  /** Wheel files in `packages/`. */
  wheels: string[];
  /** Inventory records whose file is missing from `packages/` (only when `files` is checked). */
  lost: string[];
  /** Releases (project, version, tags) with more than one file. */
  duplicates: string[];
  /** Files in `packages/`, `simple/` or the repository directory that are temp files or partial copies. */
  partial: string[];
  indexValid: boolean;
  problems: string[];
}

interface InventoryFile {
  filename: string;
  sha256: string;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Audits repository `repository` under `root`. `files: false` skips the
 * wheel files themselves (a synthetic inventory has records only).
 */
export function auditRepository(root: string, repository: string, options: { files?: boolean } = {}): Audit {
  const paths = repositoryPaths(root, repository);
  const problems: string[] = [];
  const inventory = new Map<string, InventoryFile[]>();
  for (const name of list(paths.inventory).filter((n) => n.endsWith('.json'))) {
    try {
      const record = readJson(path.join(paths.inventory, name)) as { project: string; files: InventoryFile[] };
      if (record.files.length > 0) inventory.set(record.project, record.files);
    } catch (error) {
      problems.push(`inventory ${name}: ${(error as Error).message}`);
    }
  }

  const wheels = list(paths.packages).filter((n) => n.endsWith('.whl'));
  const partial = [
    ...list(paths.packages).filter((n) => !n.endsWith('.whl') && !n.endsWith('.whl.metadata')),
    ...list(paths.simple).filter((n) => n.startsWith('.')).map((n) => `simple/${n}`),
    ...list(paths.dir).filter((n) => n.startsWith('.') && n !== '.farm').map((n) => n),
    ...list(paths.tmp).map((n) => `.farm/tmp/${n}`),
  ];

  const lost: string[] = [];
  if (options.files !== false) {
    const present = new Set(wheels);
    for (const [, files] of inventory) {
      for (const f of files) {
        if (!present.has(f.filename)) {
          lost.push(f.filename);
          continue;
        }
        const sha = createHash('sha256').update(fs.readFileSync(path.join(paths.packages, f.filename))).digest('hex');
        if (sha !== f.sha256) problems.push(`${f.filename}: bytes differ from the inventory`);
      }
    }
    const recorded = new Set([...inventory.values()].flat().map((f) => f.filename));
    for (const w of wheels) if (!recorded.has(w)) problems.push(`${w}: in packages/ but in no inventory`);
  }

  const releases = new Map<string, string[]>();
  for (const f of [...inventory.values()].flat()) {
    try {
      const p = parseWheelFilename(f.filename);
      const key = `${p.name} ${p.version} ${p.tags.join('.')}`;
      releases.set(key, [...(releases.get(key) ?? []), f.filename]);
    } catch {
      problems.push(`${f.filename}: not a wheel name`);
    }
  }
  const duplicates = [...releases.values()].filter((files) => files.length > 1).map((files) => files.join(' = '));

  // The index: the root page and every project page against the inventory.
  let indexValid = true;
  const invalid = (why: string) => {
    indexValid = false;
    problems.push(`index: ${why}`);
  };
  try {
    const rootPage = readJson(path.join(paths.simple, 'index.json')) as { projects: { name: string }[] };
    const listed = new Set(rootPage.projects.map((p) => p.name.toLowerCase().replace(/[-_.]+/g, '-')));
    for (const project of inventory.keys()) if (!listed.has(project)) invalid(`${project} missing from the root page`);
    for (const project of listed) if (!inventory.has(project)) invalid(`${project} on the root page but has no files`);
  } catch (error) {
    if (inventory.size > 0) invalid(`root page: ${(error as Error).message}`);
  }
  for (const [project, files] of inventory) {
    try {
      const page = readJson(path.join(paths.simple, project, 'index.json')) as { files: { filename: string; hashes: { sha256: string } }[] };
      const want = new Map(files.map((f) => [f.filename, f.sha256]));
      const got = new Map(page.files.map((f) => [f.filename, f.hashes.sha256]));
      for (const [name, sha] of want) if (got.get(name) !== sha) invalid(`${project}: ${name} ${got.has(name) ? 'has another sha256' : 'missing'}`);
      for (const name of got.keys()) if (!want.has(name)) invalid(`${project}: ${name} listed but not in the inventory`);
    } catch (error) {
      invalid(`${project}: ${(error as Error).message}`);
    }
  }
  return { wheels, lost, duplicates, partial, indexValid, problems };
}
