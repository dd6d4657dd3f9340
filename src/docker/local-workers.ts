/**
 * Worker liveness for containers on this machine's own Docker engine. The
 * Redis worker registry forgets everything when an embedded (private,
 * unpersisted) Redis goes away, so a `farm build` killed with SIGKILL leaves
 * containers no later registry knows. Worker ids carry the host name and
 * process id (`<host>-<pid>-<random>`), so on a local engine a worker of this
 * host whose process is gone is dead for sure.
 */
import { hostname } from 'node:os';
import type { WorkerRegistry } from './worker-registry.js';

/** The process id in a worker id of this host, if it is one. */
export function localWorkerPid(workerId: string, host: string = hostname()): number | undefined {
  const prefix = `${host}-`;
  if (!workerId.startsWith(prefix)) return undefined;
  const match = /^(\d+)-[0-9a-f]{6}$/.exec(workerId.slice(prefix.length));
  return match === null ? undefined : Number(match[1]);
}

/** Whether a process exists (it may belong to someone else: then it counts as alive). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The registry, plus: a worker id of this host is known, and alive exactly
 * while its process exists (whatever any registry says: another farm on this
 * machine with its own Redis is alive too). Use it only to sweep a local engine.
 */
export function withLocalWorkers(registry: WorkerRegistry, host: string = hostname()): WorkerRegistry {
  return {
    async isKnown(workerId) {
      return localWorkerPid(workerId, host) !== undefined || (await registry.isKnown(workerId));
    },
    async isAlive(workerId) {
      const pid = localWorkerPid(workerId, host);
      return pid !== undefined ? processExists(pid) : registry.isAlive(workerId);
    },
  };
}
