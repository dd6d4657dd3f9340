/**
 * A synthetic repository inventory of any size, for the index benchmark and
 * the browser's scale test: inventory records only (the index never opens
 * wheels), written as farm's inventory writer would write them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectInventory, WheelRecord } from '../../src/repository/inventory-schema.js';
import { repositoryPaths, type RepositoryPaths } from '../../src/repository/repository-paths.js';

const hex = (seed: string): string => createHash('sha256').update(seed).digest('hex');

/** Project `i`: `Bench_Pkg_<i>` with `perProject` versions, alternating pure and manylinux wheels, a few yanked. */
export function syntheticProject(i: number, perProject: number): ProjectInventory {
  const display = `Bench_Pkg_${i}`;
  const project = `bench-pkg-${i}`;
  const files: WheelRecord[] = [];
  for (let v = 0; v < perProject; v++) {
    const version = `1.${v}.0`;
    const tag = v % 2 === 0 ? 'py3-none-any' : 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64';
    const filename = `${display}-${version}-${tag}.whl`;
    files.push({
      filename,
      version,
      sha256: hex(filename),
      size: 10_000 + ((i * 7 + v) % 90_000),
      uploadTime: new Date(Date.UTC(2024, 0, 1) + i * 60_000 + v * 1000).toISOString(),
      requiresPython: v % 3 === 0 ? '>=3.8' : null,
      requiresDist: v % 2 === 0 ? ['requests>=2.0', 'attrs; extra == "dev"'] : [],
      summary: `Synthetic package ${i}`,
      metadataSha256: hex(`${filename}.metadata`),
      metadataSize: 1500,
      yanked: v === 1 && i % 50 === 0,
      yankedReason: v === 1 && i % 50 === 0 ? 'broken build' : '',
      origin: 'collected',
    });
  }
  return { format: 1, project, name: display, files };
}

/** Writes `projects` synthetic projects into repository `repository` under `root`. */
export function writeSyntheticInventory(root: string, repository: string, projects: number, perProject: number): RepositoryPaths {
  const paths = repositoryPaths(root, repository);
  fs.mkdirSync(paths.inventory, { recursive: true });
  fs.mkdirSync(paths.packages, { recursive: true });
  for (let i = 0; i < projects; i++) {
    const inventory = syntheticProject(i, perProject);
    // Setup only: plain writes (the real writer fsyncs each project file), same bytes.
    fs.writeFileSync(path.join(paths.inventory, `${inventory.project}.json`), `${JSON.stringify(inventory)}\n`);
  }
  return paths;
}
