/**
 * Which failures the queue retries, as the error classes say (see
 * `FailureMeaning` in src/errors.ts). Pure.
 *
 * - Retried with exponential backoff: transient infrastructure trouble
 *   (`TransientError`: Docker API or network errors, a container the kernel
 *   killed, a download that broke off; `HostError`) and anything unexpected.
 * - Never retried (BullMQ `UnrecoverableError`): deterministic failures (the
 *   compiler or pip exited non-zero, the smoke test failed, the repository
 *   refused the wheel, bad input, a recipe the image can't apply), timeouts
 *   (the same build would run out of time again) and cancellations (retrying
 *   would go against the user's wish).
 */
import { failureMeaning } from '../../errors.js';

/** True when the job must fail now rather than be retried. */
export function isFinalFailure(error: unknown): boolean {
  return failureMeaning(error)?.retryable === false;
}

/**
 * Whether a failure may be reported again without rebuilding, when the same
 * sdist, image and recipe come back: only deterministic failures (a timeout
 * may pass on a less busy machine).
 */
export function isCacheableFailure(error: unknown): boolean {
  return failureMeaning(error)?.cacheable === true;
}

/**
 * Whether a container's first process (farm's driver, which returns its
 * children's statuses and never kills itself) died of SIGKILL or SIGTERM
 * sent from outside: the Docker engine stopping or restarting, `docker
 * kill`, the host's OOM killer. Not the package's failure: transient.
 */
export function killedFromOutside(result: { exitCode: number; oomKilled: boolean }): boolean {
  return !result.oomKilled && (result.exitCode === 128 + 9 || result.exitCode === 128 + 15);
}
