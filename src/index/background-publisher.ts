import { Worker } from 'node:worker_threads';
import type { WorkerBatch, WorkerOutcome } from './publish-worker.js';

/** One new project directory to publish: its pages are written under `staging`, which is then renamed to `dir`. */
export interface NewDirectoryJob {
  readonly staging: string;
  readonly dir: string;
  /** The pages' file names: `index.html`, `index.json`, `json` and, with the browser, `project.html`. */
  readonly names: readonly string[];
  readonly pages: readonly string[];
}

/**
 * The worker's module: publish-worker.js beside this one in a built farm
 * (`dist/`); from the TypeScript sources (tsx, the test runner) a real
 * JavaScript file that loads publish-worker.ts through tsx.
 */
function workerModule(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./publish-worker-from-source.mjs', import.meta.url)
    : new URL('./publish-worker.js', import.meta.url);
}

/** Projects per message: few enough round trips that messaging costs nothing next to the syscalls. */
const BATCH = 64;
/** Batches in flight at most: enough to keep the worker busy between the caller's yields to the event loop. */
const MAX_IN_FLIGHT = 4;

/**
 * Publishes new project directories on a worker thread.
 *
 * Why: a first publication of a large repository creates four inodes per
 * project (directory + three pages), and on ext4 those syscalls cost more
 * than reading and rendering the project. Done synchronously on the main
 * thread the two add up; here the main thread reads and renders while the
 * worker does the syscalls, so they overlap on two cores; when the worker
 * falls behind (see `busy`) the main thread creates the next directory
 * itself, so both cores share the syscalls. The worker runs the
 * synchronous fs calls in a loop: the async fs API would cost a thread-pool
 * round trip per syscall (measured 2-3× slower than sync on this workload).
 *
 * Only worth its start-up (tens of ms) for many new projects: the full
 * regeneration uses it, an incremental one stays synchronous.
 *
 * Atomicity is unchanged (each directory appears whole by rename). Callers
 * must `drain()` before anything that assumes the pages are on disk
 * (removing staging leftovers, writing the summary, clearing dirty markers)
 * and `close()` in a `finally`.
 */
export class BackgroundPublisher {
  private readonly worker: Worker;
  private batch: NewDirectoryJob[] = [];
  /** Sent batches, oldest first (the worker answers in order); `settled` resolves on its answer or a failure. */
  private readonly inFlight: { jobs: NewDirectoryJob[]; settled: Promise<void>; wake: () => void }[] = [];
  private failure: Error | undefined;

  /**
   * @param onExists called on the main thread for a job whose `dir` already
   *   existed (a leftover the directory listing did not show): replace its pages file by file.
   */
  constructor(private readonly onExists: (job: NewDirectoryJob) => void) {
    this.worker = new Worker(workerModule(), { execArgv: [] });
    this.worker.on('message', (outcomes: WorkerOutcome[]) => this.settle(outcomes));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`index publishing worker exited (code ${code})`)));
  }

  /** Queues a job (check `busy` first). */
  add(job: NewDirectoryJob): void {
    this.batch.push(job);
    if (this.batch.length >= BATCH) this.flush();
  }

  /**
   * True while the worker has all the work it may hold: the caller then
   * publishes the next directory itself, so when the disk is the slower
   * side both threads make syscalls (and the rendered pages held in memory
   * stay bounded).
   */
  get busy(): boolean {
    return this.inFlight.length >= MAX_IN_FLIGHT;
  }

  /** Throws the first failure reported so far (answers arrive when the caller yields to the event loop). */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves when every queued directory is published; rejects with the first failure. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.length > 0 && this.failure === undefined) await this.inFlight[0]!.settled;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Lets sent batches finish (a terminated worker would leave half-filled staging directories), then stops the worker. */
  async close(): Promise<void> {
    await Promise.all(this.inFlight.map((batch) => batch.settled));
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private flush(): void {
    if (this.batch.length === 0 || this.failure !== undefined) return;
    const jobs = this.batch;
    this.batch = [];
    let wake = (): void => {};
    const settled = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.inFlight.push({ jobs, settled, wake });
    // The pages travel as one transferred buffer: structured-cloning 20,000
    // projects' strings cost the main thread more than encoding them here.
    const sizes = jobs.map((job) => job.pages.map((page) => Buffer.byteLength(page)));
    const bytes = Buffer.allocUnsafeSlow(sizes.flat().reduce((a, b) => a + b, 0));
    let offset = 0;
    for (const job of jobs) for (const page of job.pages) offset += bytes.write(page, offset);
    const message: WorkerBatch = { jobs: jobs.map((job, i) => ({ staging: job.staging, dir: job.dir, names: job.names, sizes: sizes[i]! })), bytes: bytes.buffer };
    this.worker.postMessage(message, [bytes.buffer]);
  }

  private settle(outcomes: WorkerOutcome[]): void {
    const head = this.inFlight.shift();
    if (head === undefined) return;
    try {
      outcomes.forEach((outcome, i) => {
        if (outcome === 'published') return;
        if (outcome === 'exists') return this.onExists(head.jobs[i]!);
        throw Object.assign(new Error(outcome.message), outcome.code === undefined ? {} : { code: outcome.code });
      });
    } catch (error) {
      this.failure ??= error as Error;
    }
    head.wake();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const batch of this.inFlight) batch.wake();
  }
}
