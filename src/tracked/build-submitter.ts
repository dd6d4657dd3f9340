import type { BuildRequestInputArg, RequestStatus } from '../pipeline/contract/request-types.js';

/**
 * What the triggers need from the build pipeline: submit a request, read its
 * status. `Engine` from `src/pipeline/engine.ts` satisfies it; unit tests
 * use an in-memory fake.
 */
export interface BuildSubmitter {
  /** Records and enqueues a build request; returns its id at once. */
  submit(input: BuildRequestInputArg): Promise<string>;
}

/** Reads a request's status (`farm status --json`); `NotFoundError` when unknown. */
export interface StatusReader {
  status(requestId: string): Promise<RequestStatus>;
}
