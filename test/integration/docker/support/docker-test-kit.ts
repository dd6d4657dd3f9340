/**
 * Shared set-up for the executor's integration tests: one engine, ids and
 * names unique to this area (`farm-test-docker-`), and clean-up that only
 * touches what these tests created.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { FARM_LABELS } from '../../../../src/docker/container-spec.js';

/** Prefix of every worker id, volume and directory these tests create. */
export const AREA_PREFIX = 'farm-test-docker-';
/** Cache volumes of these tests: `farm-test-docker-cache-<target>`. */
export const TEST_CACHE_PREFIX = `${AREA_PREFIX}cache-`;

export const docker = new Dockerode();

/** A worker id no other test (or farm) uses. */
export function testWorkerId(label: string): string {
  return `${AREA_PREFIX}${label}-${randomUUID().slice(0, 8)}`;
}

/** Containers (any state) carrying `farm.worker=<workerId>`. */
export async function containersOf(workerId: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${FARM_LABELS.worker}=${workerId}`] } });
}

/** Force-removes every container of the given workers (test clean-up only). */
export async function removeContainersOf(...workerIds: string[]): Promise<void> {
  for (const workerId of workerIds) {
    for (const info of await containersOf(workerId)) {
      await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    }
  }
}

/** Removes volumes named with this area's prefix that `names` lists. */
export async function removeVolumes(...names: string[]): Promise<void> {
  for (const name of names) {
    await docker.getVolume(name).remove({ force: true }).catch(() => undefined);
  }
}

/** A temporary directory any container user can write to (builds run as uid 1000). */
export async function worldWritableTempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${AREA_PREFIX}${label}-`));
  await chmod(dir, 0o777);
  return dir;
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}
