/**
 * The I/O half of the executor: runs one create-options object (from
 * `buildContainerSpec`) in a fresh container and always removes it again.
 * Pulling images is not its job; the caller makes sure the image is present.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import { BuildTimeoutError, CancelledError, FarmError, TransientError, type BuildContext } from '../errors.js';
import { CappedLog, DEFAULT_MAX_LOG_BYTES } from './capped-log.js';
import { FARM_LABELS } from './container-spec.js';
import { readLogTail } from './log-tail.js';

/** Which of the container's output streams a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** How to run one container: where its log goes, how long it may take, who watches. */
export interface RunContainerOptions {
  /** Appended to (never truncated), after a header line naming image, argv and target. */
  logPath: string;
  /** Wall-clock limit from the start of the run; the container is killed when it passes. */
  timeoutMs: number;
  /** Live output, demultiplexed. Exceptions it throws are ignored: a viewer must not fail a build. */
  onOutput?: (stream: OutputStream, chunk: Buffer) => void;
  /** Cancels the run: the container is killed and `CancelledError` thrown. */
  signal?: AbortSignal;
  /** What errors call the step (`BuildContext.package`): `name==version` or a free label. */
  package?: string;
  /**
   * Cap of the log file (with what earlier runs appended to it): beyond it
   * only the head and the last part are kept, see `capped-log.ts`. Default
   * `DEFAULT_MAX_LOG_BYTES`. `onOutput` still sees everything.
   */
  maxLogBytes?: number;
}

/** How a container run ended, when it ran to completion. */
export interface RunResult {
  /** The program's exit status. Non-zero is returned, not thrown: the caller decides what it means. */
  exitCode: number;
  logPath: string;
  durationMs: number;
  /** The kernel's OOM killer ended the container (exit code is then usually 137). */
  oomKilled: boolean;
  /**
   * Where the time went, in ms: the engine calls (`create`, `attach`,
   * `start`, `inspect`, `remove`) and `run`, from the start call's return
   * until the wait returned (the process plus the engine noticing its exit).
   */
  timings: Record<'create' | 'attach' | 'start' | 'run' | 'inspect' | 'remove', number>;
}

/** Bounds on waiting for the engine after a kill; a hung engine must not hang the worker. */
const AFTER_KILL_WAIT_MS = 10_000;
const DRAIN_WAIT_MS = 5_000;

type StopReason = 'timeout' | 'cancelled';

/**
 * Runs the container to completion: create (for `spec.platform`), attach,
 * start, wait. stdout and stderr go to the log file and to `onOutput`.
 *
 * Throws `BuildTimeoutError` when `timeoutMs` passes (after killing the
 * container), `CancelledError` when `signal` fires, and `TransientError`
 * (with the Docker error as cause) when the engine fails. Whatever happens,
 * the container is force-removed before this returns or throws.
 */
export async function runContainer(
  docker: Dockerode,
  spec: Dockerode.ContainerCreateOptions,
  options: RunContainerOptions,
): Promise<RunResult> {
  const startedAt = performance.now();
  const { logPath } = options;
  const target = spec.Labels?.[FARM_LABELS.target] ?? 'unknown';
  const context = (logTail: string): BuildContext => ({
    target,
    package: options.package ?? 'build step',
    logPath,
    logTail,
  });

  await mkdir(path.dirname(logPath), { recursive: true });
  const existingBytes = await stat(logPath).then((s) => s.size, () => 0);
  const log = openLog(logPath, { maxBytes: options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES, existingBytes });
  log.write(headerLine(spec, target));
  const stop = watchForStop(options.timeoutMs, options.signal);
  const held: { container?: Dockerode.Container } = {};

  const cleanUp = async (): Promise<unknown> => {
    stop.dispose();
    await log.close();
    return held.container === undefined ? undefined : removeContainer(held.container);
  };

  const timings: RunResult['timings'] = { create: 0, attach: 0, start: 0, run: 0, inspect: 0, remove: 0 };
  const timed = async <T>(phase: keyof RunResult['timings'], work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] += performance.now() - t0;
    }
  };
  let result: RunResult;
  try {
    result = await execute();
  } catch (error) {
    await cleanUp();
    throw error instanceof FarmError ? error : toTransient('run container', error);
  }
  const removalError = await timed('remove', cleanUp);
  // A leaked container is reported even after a good run; on failure the run's
  // own error matters more, and the sweeper removes leftovers on worker start.
  if (removalError !== undefined) throw toTransient(`remove container ${held.container?.id ?? ''}`, removalError);
  return result;

  async function execute(): Promise<RunResult> {
    if (stop.reason() !== undefined) {
      throw new CancelledError(`${context('').package} on ${target}: cancelled before it started`);
    }
    const container = await timed('create', () =>
      dockerCall('create container', () => docker.createContainer({ ...spec }), {
        hint: `is the image ${spec.Image ?? ''} present for ${spec.platform ?? 'this platform'}? (farm images list)`,
      }),
    );
    held.container = container;
    // Attach before start, so not a byte of early output is lost.
    const stream = await timed('attach', () => dockerCall('attach', () => container.attach({ stream: true, stdout: true, stderr: true })));
    const drained = demultiplex(docker, stream, log, options.onOutput);
    await timed('start', () => dockerCall('start container', () => container.start()));
    const running = performance.now();

    const exited = container.wait().then(
      (status: { StatusCode: number }) => ({ kind: 'exit' as const, code: status.StatusCode }),
      (error: unknown) => ({ kind: 'error' as const, error }),
    );
    const first = await Promise.race([exited, stop.stopped.then((reason) => ({ kind: 'stop' as const, reason }))]);

    if (first.kind === 'stop') {
      await killQuietly(container);
      await within(exited, AFTER_KILL_WAIT_MS);
      await within(drained, DRAIN_WAIT_MS);
      log.write(`\n# farm: ${first.reason === 'timeout' ? `killed after ${options.timeoutMs} ms timeout` : 'cancelled'}\n`);
      await log.close();
      const tail = await readLogTail(logPath);
      if (first.reason === 'timeout') throw new BuildTimeoutError(context(tail), options.timeoutMs);
      throw new CancelledError(`${context(tail).package} on ${target}: cancelled (log: ${logPath})`);
    }
    if (first.kind === 'error') throw toTransient('wait for container', first.error);
    timings.run = performance.now() - running;

    await within(drained, DRAIN_WAIT_MS);
    // Only a SIGKILL (exit 137) can be the OOM killer's: any other status needs no inspect call.
    const oomKilled = first.code === 137 && (await timed('inspect', () => dockerCall('inspect container', () => container.inspect()))).State.OOMKilled === true;
    await log.close();
    if (log.error() !== undefined) throw toTransient(`write log ${logPath}`, log.error());
    return {
      exitCode: first.code,
      logPath,
      durationMs: Math.round(performance.now() - startedAt),
      oomKilled,
      timings,
    };
  }
}

function headerLine(spec: Dockerode.ContainerCreateOptions, target: string): string {
  const argv = [...(toArray(spec.Entrypoint) ?? []), ...(spec.Cmd ?? [])];
  return (
    `# farm: ${new Date().toISOString()} target=${target} image=${spec.Image ?? '?'} ` +
    `platform=${spec.platform ?? 'default'} argv=${JSON.stringify(argv)}\n`
  );
}

function toArray(value: string | string[] | undefined): string[] | undefined {
  return typeof value === 'string' ? [value] : value;
}

interface OpenLog {
  /** Writes (within the cap) unless the log is already closed (late output after a kill). */
  write(data: Buffer | string): void;
  /** Idempotent: writes the kept tail, ends the file once and waits until it is flushed. */
  close(): Promise<void>;
  error(): unknown;
}

function openLog(logPath: string, cap: { maxBytes: number; existingBytes: number }): OpenLog {
  const stream: WriteStream = createWriteStream(logPath, { flags: 'a' });
  let failure: unknown;
  // Without a listener a full disk would crash the whole worker process.
  stream.on('error', (error) => {
    failure ??= error;
  });
  const open = () => !stream.destroyed && !stream.writableEnded;
  const capped = new CappedLog({ write: (chunk) => void stream.write(chunk) }, cap);
  let closing: Promise<void> | undefined;
  return {
    write(data) {
      if (open()) capped.write(data);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (stream.destroyed) return resolve();
        capped.finish();
        stream.once('close', () => resolve());
        stream.end();
      });
      return closing;
    },
    error: () => failure,
  };
}

/** Splits Docker's multiplexed attach stream; resolves when the stream ends. */
function demultiplex(
  docker: Dockerode,
  stream: NodeJS.ReadableStream,
  log: OpenLog,
  onOutput: RunContainerOptions['onOutput'],
): Promise<void> {
  const sink = (name: OutputStream) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        log.write(chunk);
        if (onOutput !== undefined) {
          try {
            onOutput(name, chunk);
          } catch {
            // See RunContainerOptions.onOutput.
          }
        }
        callback();
      },
    });
  const done = new Promise<void>((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
  return done;
}

function watchForStop(timeoutMs: number, signal: AbortSignal | undefined) {
  let reason: StopReason | undefined;
  let fire: (reason: StopReason) => void = () => {};
  const stopped = new Promise<StopReason>((resolve) => {
    fire = resolve;
  });
  const trigger = (why: StopReason) => {
    reason ??= why;
    fire(reason);
  };
  const onAbort = () => trigger('cancelled');
  const timer = setTimeout(() => trigger('timeout'), timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted === true) onAbort();
  return {
    stopped,
    reason: () => reason,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function toTransient(what: string, error: unknown, hint?: string): TransientError {
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`docker: ${what} failed: ${message}`, { cause: error, ...(hint ? { hint } : {}) });
}

async function dockerCall<T>(what: string, call: () => Promise<T>, extra: { hint?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTransient(what, error, statusCodeOf(error) === 404 ? extra.hint : undefined);
  }
}

async function killQuietly(container: Dockerode.Container): Promise<void> {
  try {
    await container.kill({ signal: 'SIGKILL' });
  } catch {
    // Already exited (409) or gone (404): the wait below settles either way.
  }
}

/** Force-removes the container; returns the error if it is still there afterwards. */
async function removeContainer(container: Dockerode.Container): Promise<unknown> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await container.remove({ force: true, v: true });
      return undefined;
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 404) return undefined;
      last = error;
      // 409: removal already in progress (e.g. the engine is still killing it).
      await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)));
    }
  }
  return last;
}
