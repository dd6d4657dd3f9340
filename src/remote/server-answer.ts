/**
 * What a remote worker makes of farm api's answers, as a pure mapping from
 * status and message to farm's errors: network trouble, 5xx and a digest
 * mismatch (bytes changed in transit) are transient and retried; 401 and 403
 * are the token's (`AccessDeniedError`); 409 and other refusals of a wheel
 * are the wheel's (`WheelRejectedError`), never retried.
 */
import { AccessDeniedError, TransientError, UsageError, WheelRejectedError, type FarmError } from '../errors.js';

/** The JSON error body farm api sends (`{ error, message }`). */
export interface ErrorBody {
  readonly error?: string;
  readonly message?: string;
}

/** What was asked, for messages: `upload of x.whl`, `hello`. */
export interface Call {
  readonly what: string;
  readonly url: string;
  /** The wheel an upload carried, for `WheelRejectedError`. */
  readonly wheel?: string;
}

/** The error for a non-2xx answer. */
export function errorForAnswer(call: Call, status: number, body: ErrorBody): FarmError {
  const message = body.message ?? body.error ?? `HTTP ${status}`;
  const said = `${call.what}: farm api answered ${status}: ${message}`;
  if (status === 401) return new AccessDeniedError(401, said, { hint: 'make a new token on the main host: farm tokens create' });
  if (status === 403) return new AccessDeniedError(403, said, { hint: 'farm tokens list shows what each token covers' });
  if (status >= 500 || status === 429 || status === 408) return new TransientError(said);
  if (status === 400 && body.error === 'digest mismatch') return new TransientError(said);
  if (call.wheel !== undefined && (status === 400 || status === 409 || status === 413)) return new WheelRejectedError(call.wheel, `${status}: ${message}`);
  if (status === 404) return new UsageError(`${said} (${call.url})`, { hint: "--server must be farm api's URL, e.g. https://farm.example/" });
  return new UsageError(said);
}

/** The error for a request that got no answer (refused, reset, timed out). */
export function errorForNoAnswer(call: Call, error: unknown): FarmError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return new TransientError(`${call.what}: no answer from farm api at ${new URL(call.url).origin} (${detail})`, { cause: error });
}
