/** What a worker says about itself with each heartbeat (`farm workers`). Pure. */
import type { ServedTarget, WorkerInfo } from '../../docker/worker-info.js';

export interface WorkerFacts {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAt: Date;
  readonly targets: readonly string[];
  /** True for targets no Docker host of the worker runs natively (qemu). */
  readonly emulated: (target: string) => boolean;
  readonly orchestrates: boolean;
  /** A remote worker's server origin and token name. */
  readonly remote?: { readonly server: string; readonly token: string };
}

export function describeWorker(facts: WorkerFacts, running: readonly string[]): WorkerInfo {
  const targets: ServedTarget[] = facts.targets.map((id) => ({ id, mode: facts.emulated(id) ? 'emulated' : 'native' }));
  return {
    id: facts.id,
    host: facts.host,
    pid: facts.pid,
    kind: facts.remote === undefined ? 'local' : 'remote',
    ...(facts.remote === undefined ? {} : { server: facts.remote.server, token: facts.remote.token }),
    targets,
    orchestrates: facts.orchestrates,
    startedAt: facts.startedAt.toISOString(),
    version: facts.version,
    running: [...running],
  };
}
