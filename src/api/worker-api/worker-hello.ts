/**
 * The answer of `GET /api/v1/worker/hello`: the contract between farm api
 * and a remote worker, read by both sides. Pure.
 */
import { z } from 'zod';

/** Who the token is and what it covers, and where the repositories are served. */
export const WorkerHello = z.strictObject({
  /** The token's name (the secret never travels back). */
  token: z.string(),
  /** Targets the token may serve (every target when it names none). */
  targets: z.array(z.string()),
  repositories: z.array(z.string()).nullable(),
  /** Base URL of the served repositories (`<indexUrl><repo>/simple/`), or null: the API's own URL. */
  indexUrl: z.string().nullable(),
});
export type WorkerHello = z.infer<typeof WorkerHello>;

