/**
 * The BullMQ objects of one farm: queues by name (created on first use), one
 * QueueEvents per queue for prompt completion notices, and the FlowProducer
 * that adds a request's flow. Job options for every kind of job live here.
 */
import { FlowProducer, Queue, QueueEvents, type Job, type JobsOptions, type RedisOptions } from 'bullmq';

/** Retries and retention per kind of job. */
export const JOB_OPTIONS = {
  /** The flow root: reruns resume at the saved step. */
  request: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  },
  /** Resolution: a transient failure (engine error) is retried; pip's own failure is a value. */
  resolve: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: true,
    removeOnFail: true,
    // The request must still run (and report) when a resolution fails for good.
    ignoreDependencyOnFailure: true,
  },
  /**
   * Builds: transient failures retried with exponential backoff (10 s, 20 s),
   * deterministic ones fail at once (UnrecoverableError). Finished jobs are
   * removed so the same id can run again later; the outcome is kept as a
   * farm result record instead.
   */
  build: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 10_000 },
    removeOnComplete: true,
    removeOnFail: true,
  },
  mirror: {
    attempts: 4,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: true,
    removeOnFail: true,
  },
} as const satisfies Record<string, JobsOptions>;

/** Queues, events and the flow producer on one connection config and prefix. */
export class QueueSet {
  readonly flow: FlowProducer;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, QueueEvents>();

  constructor(
    readonly connection: RedisOptions,
    readonly prefix: string,
  ) {
    this.flow = new FlowProducer({ connection, prefix });
  }

  queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Adds a job unless one with `options.jobId` exists (BullMQ keeps one job
   * per id), and reads back who owns the job with that id: the `requestId`
   * in its data, another request's when that request created it first.
   */
  async add(queueName: string, name: string, data: { requestId: string }, options: JobsOptions & { jobId: string }): Promise<string | undefined> {
    const queue = this.queue(queueName);
    await queue.add(name, data, options);
    const job = (await queue.getJob(options.jobId)) as Job<{ requestId?: unknown }> | undefined;
    const owner = job?.data.requestId;
    return typeof owner === 'string' ? owner : undefined;
  }

  /** QueueEvents of a queue; `onCreate` wires listeners the first time. */
  events(name: string, onCreate: (events: QueueEvents) => void): QueueEvents {
    let events = this.#events.get(name);
    if (events === undefined) {
      events = new QueueEvents(name, { connection: this.connection, prefix: this.prefix });
      // A Redis hiccup must not become an unhandled 'error' event.
      events.on('error', () => {});
      onCreate(events);
      this.#events.set(name, events);
    }
    return events;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.flow.close(),
      ...[...this.#queues.values()].map((q) => q.close()),
      ...[...this.#events.values()].map((e) => e.close()),
    ]);
  }
}
