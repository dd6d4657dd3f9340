/**
 * The background publisher's worker thread (see background-publisher.ts):
 * receives batches of new project directories, their pages in one
 * transferred buffer, publishes each with `publishNewDirectory`, and answers
 * with one outcome per directory, in order.
 */
import { parentPort } from 'node:worker_threads';
import { publishNewDirectory } from './new-project-directory.js';

/** One directory of a batch: its pages, named `names`, are `sizes` bytes each, in order, in the batch's buffer. */
export interface WorkerJob {
  readonly staging: string;
  readonly dir: string;
  readonly names: readonly string[];
  readonly sizes: readonly number[];
}

/** A batch as posted to the worker. */
export interface WorkerBatch {
  readonly jobs: readonly WorkerJob[];
  readonly bytes: ArrayBuffer;
}

/** `exists`: the directory turned out to exist (nothing left behind); the main thread replaces its pages file by file. */
export type WorkerOutcome = 'published' | 'exists' | { readonly code?: string; readonly message: string };

/** Publishes a batch; never throws (a failure is that directory's outcome). */
export function publishBatch({ jobs, bytes }: WorkerBatch): WorkerOutcome[] {
  let offset = 0;
  return jobs.map((job) => {
    const pages = job.sizes.map((size) => {
      offset += size;
      return new Uint8Array(bytes, offset - size, size);
    });
    try {
      return publishNewDirectory(job.staging, job.dir, job.names, pages) ? 'published' : 'exists';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ...(code === undefined ? {} : { code }), message: String((error as Error).message) };
    }
  });
}

parentPort?.on('message', (batch: WorkerBatch) => parentPort!.postMessage(publishBatch(batch)));
