/**
 * Who gets a free build slot first (p-queue priorities, higher first). Pure.
 * A request plans only after its last resolution, emulated targets are the
 * slowest (qemu), and some builds hold up others (dependencies of a smoke
 * test, first builds of pure-Python candidates): longest chains first.
 */
import { JOB_NAMES } from '../store/keys.js';

/** Higher first: resolutions, then emulated targets' jobs, then builds others wait for. */
export function slotPriority(job: { name: string; data: unknown }, emulated: boolean): number {
  const blocking = (job.data as { blocking?: unknown } | null)?.blocking;
  const waiting = typeof blocking === 'number' && Number.isFinite(blocking) ? Math.min(9, Math.max(0, blocking)) : 0;
  return (job.name === JOB_NAMES.resolve ? 100 : 0) + (emulated ? 10 : 0) + waiting;
}

