/**
 * Waiting for build and mirror jobs the request job did not create as
 * children (they are shared between requests, and a BullMQ job has one
 * parent). QueueEvents give prompt notice; a poll of the job's state and the
 * result record is the safety net (events are fire-and-forget, and jobs are
 * removed when they finish).
 */
import type { QueueEvents } from 'bullmq';
import type { TaskProbe } from './build-scheduler.js';
import type { QueueSet } from '../store/queues.js';
import type { TaskResults } from '../store/task-results.js';


type Listener = (jobId: string) => void;

export class TaskWaiter {
  readonly #listeners = new Set<Listener>();
  readonly #failedReasons = new Map<string, string>();

  constructor(
    readonly queues: QueueSet,
    readonly results: TaskResults,
  ) {}

  /** Starts listening to a queue's events (idempotent). */
  async watch(queueName: string): Promise<void> {
    const events = this.queues.events(queueName, (ev: QueueEvents) => {
      const notify = (jobId: string) => {
        for (const listener of this.#listeners) listener(jobId);
      };
      ev.on('active', ({ jobId }) => notify(jobId));
      ev.on('completed', ({ jobId }) => notify(jobId));
      ev.on('failed', ({ jobId, failedReason }) => {
        this.#failedReasons.set(jobId, failedReason);
        if (this.#failedReasons.size > 10_000) this.#failedReasons.clear();
        notify(jobId);
      });
    });
    await events.waitUntilReady();
  }

  /** Resolves when one of `jobIds` has news, or after `timeoutMs`. */
  next(jobIds: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const listener: Listener = (jobId) => {
        if (jobIds.has(jobId)) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#listeners.add(listener);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * The job's state. A finished job is described by its result record when
   * the record is newer than `since` (ms); a job that vanished without one
   * (failed for good by the stalled checker, removed by hand) is reported
   * as failed.
   */
  async probe(queueName: string, taskId: string, since: number): Promise<TaskProbe> {
    const queue = this.queues.queue(queueName);
    const state = await queue.getJobState(taskId);
    if (state === 'active') return { state: 'active' };
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return { state: 'waiting' };
    const record = await this.results.read(taskId);
    if (record !== undefined && record.finishedAt >= since) return { state: 'finished', result: record };
    if (state === 'unknown') {
      // The record is written before the job finishes; give a just-finished job's record a moment.
      await new Promise((r) => setTimeout(r, 200));
      const again = await this.results.read(taskId);
      if (again !== undefined && again.finishedAt >= since) return { state: 'finished', result: again };
      if ((await queue.getJobState(taskId)) !== 'unknown') return { state: 'waiting' };
    }
    const job = state === 'unknown' ? undefined : await queue.getJob(taskId);
    const reason = job?.failedReason ?? this.#failedReasons.get(taskId) ?? 'the job ended without a result';
    const now = Date.now();
    return {
      state: 'finished',
      result: {
        taskId,
        requestId: '-',
        state: 'failed',
        repository: '-',
        error: reason,
        deterministic: false,
        durationMs: 0,
        containerMs: 0,
        containers: 0,
        startedAt: now,
        finishedAt: now,
      },
    };
  }
}
