import fs from 'node:fs';
import path from 'node:path';
import { validate } from '../validation/validate.js';
import { readFileIfExistsSync, writeFileAtomicSync } from '../files/atomic-file.js';
import { fsyncPathSync } from '../files/fsync.js';
import { ProjectInventory } from './inventory-schema.js';
import type { RepositoryPaths } from './repository-paths.js';
import { sortByVersion } from './sort-wheel-records.js';

/**
 * The per-repository inventory: one JSON file per project under
 * `.farm/inventory/`, each replaced atomically and durably. One file per
 * project keeps a write proportional to that project, and a crash can only
 * lose the one update in flight, never the rest of the inventory.
 *
 * Every change first drops an empty marker in `.farm/dirty/`; the index writer
 * re-renders exactly the marked projects and removes the markers after
 * publishing. Marker before data: a crash in between costs one needless
 * re-render, never a missed one. Callers hold the repository lock.
 */

/** A normalised project name is also a file name: check it is one. */
const PROJECT_FILE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function inventoryFile(paths: RepositoryPaths, project: string): string {
  if (!PROJECT_FILE_NAME.test(project)) throw new Error(`not a normalised project name: '${project}'`);
  return path.join(paths.inventory, `${project}.json`);
}

/**
 * Reads and validates one project's inventory.
 *
 * @returns `undefined` when the project has no wheels.
 * @throws ConfigError when the file is not a valid inventory (names the file and every problem).
 */
export function readProjectInventory(paths: RepositoryPaths, project: string): ProjectInventory | undefined {
  const file = inventoryFile(paths, project);
  const bytes = readFileIfExistsSync(file);
  return bytes === undefined ? undefined : parseProjectInventory(bytes, file);
}

/** The raw bytes of a project's inventory file (`undefined`: no such project). */
export function readProjectInventoryBytes(paths: RepositoryPaths, project: string): { file: string; bytes: Buffer | undefined } {
  const file = inventoryFile(paths, project);
  return { file, bytes: readFileIfExistsSync(file) };
}

/**
 * Parses and validates inventory bytes read from `file`.
 *
 * @throws ConfigError naming the file and every problem.
 */
export function parseProjectInventory(bytes: Buffer, file: string): ProjectInventory {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    data = { invalidJson: (error as Error).message };
  }
  return validate(ProjectInventory, data, file);
}

/**
 * Replaces a project's inventory (sorting its files by version), or deletes
 * it when no files are left, after marking the project dirty.
 */
export function writeProjectInventory(paths: RepositoryPaths, inventory: ProjectInventory): void {
  markDirty(paths, inventory.project);
  const file = inventoryFile(paths, inventory.project);
  if (inventory.files.length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  const sorted: ProjectInventory = { ...inventory, files: sortByVersion(inventory.files) };
  writeFileAtomicSync(file, `${JSON.stringify(sorted)}\n`, { durable: true });
}

/** Marks `project` as needing its pages rewritten. Durable before returning. */
export function markDirty(paths: RepositoryPaths, project: string): void {
  const marker = path.join(paths.dirty, project);
  inventoryFile(paths, project);
  try {
    fs.closeSync(fs.openSync(marker, 'a'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(paths.dirty, { recursive: true });
    fs.closeSync(fs.openSync(marker, 'a'));
  }
  fsyncPathSync(paths.dirty);
}

/** Projects marked dirty, sorted. */
export function listDirty(paths: RepositoryPaths): string[] {
  return listNames(paths.dirty).filter((n) => PROJECT_FILE_NAME.test(n));
}

/** Removes the markers of projects whose pages have been published. */
export function clearDirty(paths: RepositoryPaths, projects: Iterable<string>): void {
  for (const project of projects) fs.rmSync(path.join(paths.dirty, project), { force: true });
}

/** Every project with an inventory file, sorted. */
export function listInventoryProjects(paths: RepositoryPaths): string[] {
  return listNames(paths.inventory)
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .filter((n) => PROJECT_FILE_NAME.test(n));
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
