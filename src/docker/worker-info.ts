/**
 * What a worker tells the farm about itself with every heartbeat, for
 * `farm workers`: where it runs, what it serves (natively or under qemu),
 * which jobs it is running. Read back from Redis, so validated.
 */
import { z } from 'zod';

/** One served target and how this worker's Docker hosts run it. */
export const ServedTarget = z.strictObject({
  id: z.string().min(1),
  mode: z.enum(['native', 'emulated']),
});
export type ServedTarget = z.infer<typeof ServedTarget>;

export const WorkerInfo = z.strictObject({
  id: z.string().min(1),
  host: z.string().min(1),
  pid: z.int(),
  /**
   * `local`: writes the repositories itself (the main host); `remote`: has no
   * repository root and delivers through `server`'s upload API.
   */
  kind: z.enum(['local', 'remote']),
  /** Origin of the farm api a remote worker delivers to. */
  server: z.string().optional(),
  /** Name of a remote worker's token. */
  token: z.string().optional(),
  targets: z.array(ServedTarget),
  /** Whether it also runs request (orchestrating) jobs. */
  orchestrates: z.boolean(),
  startedAt: z.iso.datetime(),
  /** farm's version. */
  version: z.string(),
  /** Ids of the jobs running now. */
  running: z.array(z.string()),
  /** Set by a clean shutdown: the worker did not just vanish. */
  stoppedAt: z.iso.datetime().optional(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** A worker as the registry sees it. */
export interface WorkerView {
  readonly info: WorkerInfo | undefined;
  readonly id: string;
  /** Its last heartbeat (ms since epoch). */
  readonly lastSeen: number;
  /** Its heartbeat is fresh. */
  readonly alive: boolean;
}
