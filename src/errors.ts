/**
 * farm's error hierarchy. Every error a user can cause or meet is one of these
 * named classes with structured fields; the CLI's single top-level catch maps
 * them to exit codes (see `exitCodeFor`). Errors cross process boundaries
 * (BullMQ jobs, worker logs), so each also carries a stable `code` string that
 * survives serialisation where `instanceof` does not.
 */

/** Exit codes of the `farm` command. */
export const ExitCode = {
  ok: 0,
  /** Something the user asked for failed: a build, a check, a collection. */
  failure: 1,
  /** The request itself was wrong: flags, config, input files, host set-up. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface FarmErrorOptions {
  cause?: unknown;
  /** The exact fix, when there is one: a command to run, a key to change. */
  hint?: string;
}

/** Base class: never thrown directly. */
export abstract class FarmError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: FarmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad command-line usage: unknown flag, unknown target id, missing argument. */
export class UsageError extends FarmError {
  readonly code = 'E_USAGE';
  readonly exitCode = ExitCode.usage;
}

/** One problem found while validating an external input. */
export interface ValidationIssue {
  /** Dotted path inside the document, e.g. `targets.glibc-x86_64.python.0`. */
  path: string;
  message: string;
}

/**
 * An external document (config file, recipe, webhook body, job data) failed
 * validation. Carries every issue at once, not just the first.
 */
export class ConfigError extends FarmError {
  readonly code = 'E_CONFIG';
  readonly exitCode = ExitCode.usage;
  constructor(
    /** The file (or other source, like `env:REDIS_URL`) that was invalid. */
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
    options: FarmErrorOptions = {},
  ) {
    super(
      `${source}: invalid\n` +
        issues.map((i) => `  ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('\n'),
      options,
    );
  }
}

/** A problem in an input file at a known line: requirements files, crontabs. */
export class InputFileError extends FarmError {
  readonly code = 'E_INPUT';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    options: FarmErrorOptions = {},
  ) {
    super(`${file}:${line}: ${reason}`, options);
  }
}

/**
 * A file the user named exists but is not one farm will read as input: not a
 * regular file (a device, a FIFO, a directory) or larger than the limit.
 */
export class UnreadableInputError extends FarmError {
  readonly code = 'E_INPUT';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly file: string,
    readonly reason: string,
    options: FarmErrorOptions = {},
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** A file or directory the user named does not exist or can't be read. */
export class MissingFileError extends FarmError {
  readonly code = 'E_MISSING_FILE';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly file: string,
    options: FarmErrorOptions = {},
  ) {
    super(`${file}: no such file`, options);
  }
}

/**
 * The host can't do what was asked: Docker unreachable, binfmt/qemu disabled,
 * redis-server missing. `hint` names the command that fixes it.
 */
export class HostError extends FarmError {
  readonly code = 'E_HOST';
  readonly exitCode = ExitCode.usage;
}

/** Where a build step ran and how it ended; shared by build failures and timeouts. */
export interface BuildContext {
  target: string;
  /** `name==version`, or a free label for steps that are not per package. */
  package: string;
  logPath: string;
  /** The last lines of the log, for the error message and summaries. */
  logTail: string;
}

/**
 * A build step ran and failed deterministically (the compiler or pip exited
 * non-zero). Not retried: running it again gives the same result.
 */
export class BuildFailedError extends FarmError {
  readonly code = 'E_BUILD_FAILED';
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly context: BuildContext,
    readonly containerExitCode: number,
    options: FarmErrorOptions = {},
  ) {
    super(
      `${context.package} on ${context.target}: exited ${containerExitCode} (log: ${context.logPath})`,
      options,
    );
  }
}

/** A build step ran past its wall-clock limit and was killed. */
export class BuildTimeoutError extends FarmError {
  readonly code = 'E_BUILD_TIMEOUT';
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly context: BuildContext,
    readonly timeoutMs: number,
    options: FarmErrorOptions = {},
  ) {
    super(
      `${context.package} on ${context.target}: killed after ${timeoutMs / 1000}s timeout (log: ${context.logPath})`,
      options,
    );
  }
}

/**
 * A transient infrastructure failure (Docker API error, network error,
 * container killed by the host). Retried with backoff by the queue.
 */
export class TransientError extends FarmError {
  readonly code = 'E_TRANSIENT';
  readonly exitCode = ExitCode.failure;
}

/** A wheel was refused by the repository's checks; nothing was written. */
export class WheelRejectedError extends FarmError {
  readonly code = 'E_WHEEL_REJECTED';
  readonly exitCode = ExitCode.failure;
  constructor(
    readonly file: string,
    readonly reason: string,
    options: FarmErrorOptions = {},
  ) {
    super(`${file}: rejected: ${reason}`, options);
  }
}

/**
 * A wheel's identity (project, version, build tag, tags) is taken in the repository by different bytes, whatever the spelling. Published
 * wheels are immutable, so the new file is refused (HTTP 409 in the upload
 * API); nothing was written.
 */
export class WheelConflictError extends WheelRejectedError {
  constructor(
    file: string,
    readonly repository: string,
    /** The published file with the same identity (project, version, build tag, tags), in its stored spelling. */
    readonly existingFile: string,
    readonly existingSha256: string,
    readonly newSha256: string,
    options: FarmErrorOptions = {},
  ) {
    super(
      file,
      `wheels are immutable: a different file of the same release and tags is already in repository ` +
        `'${repository}' as ${existingFile} (sha256 ${existingSha256}, new ${newSha256})`,
      options,
    );
  }
}

/**
 * The farm server refused a token: 401 when it is unknown or revoked (nothing
 * was written), 403 when it was used outside its scope (a target or a
 * repository it does not cover). Retrying does not help; a worker whose token
 * gets 401 stops taking jobs and hands back the one it holds.
 */
export class AccessDeniedError extends FarmError {
  readonly code = 'E_ACCESS_DENIED';
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly status: 401 | 403,
    message: string,
    options: FarmErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** Something named does not exist: a request id, a project, an image. */
export class NotFoundError extends FarmError {
  readonly code = 'E_NOT_FOUND';
  readonly exitCode = ExitCode.failure;
}

/** Maps anything thrown to the process exit code. Unknown errors are failures. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof FarmError ? error.exitCode : ExitCode.failure;
}

/**
 * True when retrying cannot help. Checks the `code` as well as the class,
 * because errors read back from a job queue are plain objects.
 */
export function isDeterministicFailure(error: unknown): boolean {
  if (error instanceof TransientError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'E_BUILD_FAILED' ||
    code === 'E_WHEEL_REJECTED' ||
    code === 'E_CONFIG' ||
    code === 'E_INPUT' ||
    code === 'E_USAGE' ||
    code === 'E_ACCESS_DENIED'
  );
}

/**
 * A wheel filename does not follow the binary distribution format
 * (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`). A kind of
 * `WheelRejectedError` (same `code`), so anything that refuses bad wheels
 * handles it; `problem` says which part is wrong.
 */
export class InvalidWheelNameError extends WheelRejectedError {
  constructor(
    file: string,
    readonly problem: string,
    options: FarmErrorOptions = {},
  ) {
    super(file, `invalid wheel filename: ${problem}`, options);
  }
}

/**
 * A step was cancelled on purpose (an AbortSignal fired: the request was
 * cancelled, the worker is shutting down). Not a failure of the package, and
 * retrying would go against the caller's wish.
 */
export class CancelledError extends FarmError {
  readonly code = 'E_CANCELLED';
  readonly exitCode = ExitCode.failure;
}
