/**
 * Which failures the queue retries. Pure.
 *
 * - Retried with exponential backoff: transient infrastructure trouble
 *   (`TransientError`: Docker API or network errors, a container the kernel
 *   killed, a download that broke off) and anything unexpected.
 * - Never retried (BullMQ `UnrecoverableError`): deterministic failures
 *   (`isDeterministicFailure`: the compiler or pip exited non-zero, the smoke
 *   test failed, the repository refused the wheel, bad input), timeouts (the
 *   same build would run out of time again) and cancellations (retrying would
 *   go against the user's wish).
 */
import { BuildTimeoutError, CancelledError, isDeterministicFailure } from '../../errors.js';

/** True when the job must fail now rather than be retried. */
export function isFinalFailure(error: unknown): boolean {
  if (isDeterministicFailure(error) || error instanceof BuildTimeoutError || error instanceof CancelledError) return true;
  // Errors read back from a queue are plain objects: go by their code.
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'E_BUILD_TIMEOUT' || code === 'E_CANCELLED';
}

/**
 * Whether a failure may be reported again without rebuilding, when the same
 * sdist, image and recipe come back: only deterministic failures (a timeout
 * may pass on a less busy machine).
 */
export function isCacheableFailure(error: unknown): boolean {
  return isDeterministicFailure(error);
}
