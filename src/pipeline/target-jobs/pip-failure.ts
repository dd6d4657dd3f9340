/**
 * Why a pip run failed, read from what pip printed: the network and the
 * index (a refused or reset connection, a timeout, a 5xx, a hash mismatch
 * while a CDN catches up) are transient, to be retried with backoff and
 * never remembered as the package's failure; anything else (the compiler,
 * the build backend, a requirement that really does not exist) is
 * deterministic. `classifyPipFailure` is pure; `classifyFailedPipStep`
 * reads its input.
 *
 * pip's console hides index errors (a 503 on an index page is a debug
 * message; pip then says "from versions: none"), so the text classified is
 * the console output plus pip's debug log (`PIP_LOG`, see the drivers).
 *
 * A build backend that ran and failed is deterministic even when pip had
 * network trouble earlier in the same run (a retry that then succeeded
 * leaves its warning in the log).
 */

import { readLogSince } from '../../docker/log-tail.js';
import { readContainerOutputTail } from '../../files/container-output.js';

/** Where pip's debug log is written in build and resolve containers (`PIP_LOG`). */
export const PIP_DEBUG_LOG = { containerPath: '/out/pip.log', outputRelative: 'pip.log' } as const;

/** How a failed pip run is to be treated. */
export type PipFailure = { readonly kind: 'transient'; readonly reason: string } | { readonly kind: 'deterministic' };

/** Lines pip (urllib3, requests) prints when the network or the index failed it. */
const TRANSIENT = [
  /Connection refused/,
  /Connection reset by peer|ConnectionResetError|RemoteDisconnected|Connection aborted/,
  /NewConnectionError|Max retries exceeded|connection broken by/,
  /Read timed out|ReadTimeoutError|ConnectTimeoutError|Could not fetch URL .*: timed out/,
  /Temporary failure in name resolution/,
  /IncompleteRead|ProtocolError|ChunkedEncodingError/,
  /too many 5\d\d error responses/,
  /HTTP error 5\d\d|\b5\d\d Server Error/,
  /THESE PACKAGES DO NOT MATCH THE HASHES/,
  /Could not fetch URL .*: (connection error|There was a problem confirming|5\d\d Server Error)/,
];

/** Lines that say a build backend or compiler ran and failed: the package's own failure. */
const BACKEND_FAILED = [
  /Building wheel for \S+ \(.*\) did not run successfully|Failed building wheel for /,
  /Getting requirements to build wheel did not run successfully/,
  /Preparing metadata \(.*\) did not run successfully/,
  /error: command '[^']*' failed/,
  /^\S+\.(c|cc|cpp|cxx|h|hpp|pyx|f|f90|rs):\d+(:\d+)?: (fatal )?error:/m,
];

/** Classifies the output of one failed pip run (the step's console output and pip's debug log). */
export function classifyPipFailure(output: string): PipFailure {
  if (BACKEND_FAILED.some((pattern) => pattern.test(output))) return { kind: 'deterministic' };
  for (const line of output.split('\n')) {
    if (TRANSIENT.some((pattern) => pattern.test(line))) return { kind: 'transient', reason: line.trim().slice(0, 300) };
  }
  return { kind: 'deterministic' };
}

/**
 * Classifies a failed step from what it printed to `logPath` after byte
 * `offset` and the end of pip's debug log in the host's `outputDir` (read
 * without following symlinks; missing or refused: the console alone).
 */
export async function classifyFailedPipStep(logPath: string, offset: number, outputDir: string): Promise<PipFailure> {
  const console = await readLogSince(logPath, offset);
  const debug = await readContainerOutputTail(outputDir, PIP_DEBUG_LOG.outputRelative, 1024 * 1024).catch(() => '');
  return classifyPipFailure(`${console}\n${debug}`);
}
