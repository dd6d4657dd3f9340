/** Inventories of many one-wheel projects, for index regenerations that publish many new directories. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectInventory } from '../../../../src/repository/inventory-schema.js';
import type { RepositoryPaths } from '../../../../src/repository/repository-paths.js';

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');

function inventory(i: number): ProjectInventory {
  const filename = `Bg_Pkg_${i}-1.0-py3-none-any.whl`;
  return {
    format: 1,
    project: `bg-pkg-${i}`,
    name: `Bg_Pkg_${i}`,
    files: [
      {
        filename,
        version: '1.0',
        sha256: hex(filename),
        size: 1000 + i,
        uploadTime: '2024-01-01T00:00:00.000Z',
        requiresPython: '>=3.8',
        requiresDist: [],
        summary: `package ${i}`,
        metadataSha256: hex(`${filename}.metadata`),
        metadataSize: 100,
        yanked: false,
        yankedReason: '',
        origin: 'collected',
      },
    ],
  };
}

/** Writes the inventories of projects `bg-pkg-0` … `bg-pkg-<count-1>` into the repository. */
export function writeProjectInventories(paths: RepositoryPaths, count: number): void {
  fs.mkdirSync(paths.inventory, { recursive: true });
  for (let i = 0; i < count; i++) {
    const inv = inventory(i);
    fs.writeFileSync(path.join(paths.inventory, `${inv.project}.json`), `${JSON.stringify(inv)}\n`);
  }
}
