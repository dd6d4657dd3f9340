import type { WorkerInfo } from './worker-info.js';

/**
 * Worker liveness, as the sweeper sees it. Workers refresh a heartbeat while
 * they run; a worker whose heartbeat lapsed is dead, and the containers it
 * left behind are orphans.
 */
export interface WorkerRegistry {
  /** True while the worker's heartbeat is fresh. */
  isAlive(workerId: string): Promise<boolean>;
  /**
   * True when the worker ever registered here. Containers of workers a
   * registry never heard of belong to another farm (or test run) sharing the
   * Docker engine, and the sweeper leaves them alone.
   */
  isKnown(workerId: string): Promise<boolean>;
}

/** The writing side, used by the worker itself. */
export interface WorkerHeartbeat extends WorkerRegistry {
  /**
   * Marks the worker alive for the registry's time-to-live, and records what
   * it says about itself (for `farm workers`) when given.
   */
  heartbeat(workerId: string, info?: WorkerInfo): Promise<void>;
  /** Marks the worker dead at once (clean shutdown). */
  unregister(workerId: string): Promise<void>;
}

/** A running heartbeat loop; `stop()` ends it and unregisters the worker. */
export interface HeartbeatHandle {
  stop(): Promise<void>;
}

/**
 * Beats every `intervalMs` until stopped. The first beat is awaited, so the
 * worker is visible as alive before it creates any container. Failed beats
 * are reported to `onError` and retried on the next tick: a short Redis
 * outage must not kill the worker. `describe`, when given, is asked for the
 * worker's current description at each beat (its running jobs change).
 */
export async function startHeartbeat(
  registry: WorkerHeartbeat,
  workerId: string,
  intervalMs: number,
  onError: (error: unknown) => void = () => {},
  describe?: () => WorkerInfo,
): Promise<HeartbeatHandle> {
  await registry.heartbeat(workerId, describe?.());
  const timer = setInterval(() => {
    registry.heartbeat(workerId, describe?.()).catch(onError);
  }, intervalMs);
  // The heartbeat alone must not keep a finished process running.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await registry.unregister(workerId);
    },
  };
}
