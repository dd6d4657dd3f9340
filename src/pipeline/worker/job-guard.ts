/**
 * Wraps a pool's processors: keeps the ids of the jobs running (for the
 * worker's heartbeat, `farm workers`), and hands a job back to its queue
 * when this worker can't finish it (`JobHandedBackError`, or the pool is
 * handing back everything): BullMQ moves it to wait as it was, no attempt
 * counted, and another worker takes it.
 */
import { WaitingError, type Processor } from 'bullmq';
import { JobHandedBackError } from '../../errors.js';

export class JobGuard {
  readonly #running = new Set<string>();
  #handingBack = false;

  /** Ids of the jobs running now. */
  get running(): string[] {
    return [...this.#running];
  }

  /** From now on every job goes back to its queue, also those not started yet. */
  handBackAll(): void {
    this.#handingBack = true;
  }

  wrap(processor: Processor): Processor {
    return async (job, token, signal) => {
      const id = job.id ?? '?';
      this.#running.add(id);
      try {
        if (this.#handingBack) throw new JobHandedBackError('this worker is handing back its jobs');
        return await processor(job, token, signal);
      } catch (error) {
        if (!(error instanceof JobHandedBackError) || token === undefined) throw error;
        await job.moveToWait(token);
        throw new WaitingError();
      } finally {
        this.#running.delete(id);
      }
    };
  }
}
