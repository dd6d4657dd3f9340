/**
 * Orphan sweeping: a worker that died mid-build (OOM-killed, host reboot,
 * `kill -9`) leaves its container behind. On start, each worker removes the
 * farm containers whose owning worker no longer has a live heartbeat.
 */
import type Dockerode from 'dockerode';
import { TransientError } from '../errors.js';
import { FARM_LABELS } from './container-spec.js';
import type { WorkerRegistry } from './worker-registry.js';

/** The part of dockerode the sweeper uses. */
export type SweepDocker = Pick<Dockerode, 'listContainers' | 'getContainer'>;

/** Who is sweeping. */
export interface SweepOptions {
  /**
   * The sweeping worker's own id: its containers are alive by definition.
   * Worker ids must be unique per process, so a restarted worker's leftovers
   * (under its previous id) are still swept.
   */
  selfId: string;
}

/** A container the sweeper removed. */
export interface SweptContainer {
  id: string;
  name: string;
  workerId: string;
  jobId: string | undefined;
  targetId: string | undefined;
  /** Docker's state when it was found: `running`, `exited`, `created`, ... */
  state: string;
}

/**
 * Lists farm containers in every state on one engine and force-removes those
 * whose `farm.worker` is known to the registry but not alive. Left alone:
 * containers without a worker label (image bootstraps, tools) and those of
 * workers the registry never saw (another farm sharing the engine). Returns
 * what it removed.
 */
export async function sweepOrphans(
  docker: SweepDocker,
  registry: WorkerRegistry,
  options: SweepOptions,
): Promise<SweptContainer[]> {
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await docker.listContainers({
      all: true,
      filters: { label: [`${FARM_LABELS.managed}=true`] },
    });
  } catch (error) {
    throw new TransientError(`docker: list containers failed: ${(error as Error).message}`, { cause: error });
  }

  const verdicts = new Map<string, Promise<boolean>>([[options.selfId, Promise.resolve(false)]]);
  const isOrphaned = (workerId: string) => {
    let verdict = verdicts.get(workerId);
    if (verdict === undefined) {
      verdict = (async () => (await registry.isKnown(workerId)) && !(await registry.isAlive(workerId)))();
      verdicts.set(workerId, verdict);
    }
    return verdict;
  };

  const swept: SweptContainer[] = [];
  for (const info of containers) {
    const labels = info.Labels ?? {};
    const workerId = labels[FARM_LABELS.worker];
    if (workerId === undefined || workerId === '' || !(await isOrphaned(workerId))) continue;
    try {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
    } catch (error) {
      // Another worker's sweep got there first.
      if ((error as { statusCode?: unknown }).statusCode === 404) continue;
      throw new TransientError(`docker: remove orphan ${info.Id} failed: ${(error as Error).message}`, { cause: error });
    }
    swept.push({
      id: info.Id,
      name: (info.Names[0] ?? '').replace(/^\//, ''),
      workerId,
      jobId: labels[FARM_LABELS.job],
      targetId: labels[FARM_LABELS.target],
      state: info.State,
    });
  }
  return swept;
}
