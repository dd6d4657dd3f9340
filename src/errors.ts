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

/** What a failure means for a job queue. */
export interface FailureMeaning {
  /** Running it again may succeed (Docker or network trouble): the queue retries it with backoff. */
  readonly retryable: boolean;
  /**
   * Running it again with the same inputs fails the same way (a compiler
   * error): it may be reported again instead of rerun.
   */
  readonly cacheable: boolean;
}

/** Base class: never thrown directly. Each subclass states its meaning (`retryable`, `cacheable`). */
export abstract class FarmError extends Error implements FailureMeaning {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  abstract readonly retryable: boolean;
  abstract readonly cacheable: boolean;
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
  readonly retryable = false;
  readonly cacheable = true;
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
  readonly retryable = false;
  readonly cacheable = true;
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
  readonly retryable = false;
  readonly cacheable = true;
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
  readonly retryable = false;
  readonly cacheable = true;
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
  readonly retryable = true;
  readonly cacheable = false;
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
  readonly code: string = 'E_HOST';
  readonly exitCode = ExitCode.usage;
  readonly retryable: boolean = true;
  readonly cacheable: boolean = false;
}

/**
 * A recipe can't apply to the builder image it would run in (it needs system
 * packages and the image has no package manager farm knows). A problem of
 * the recipe and image, not of the host: the same build fails the same way.
 */
export class RecipeNotApplicableError extends HostError {
  override readonly code = 'E_RECIPE_NOT_APPLICABLE';
  override readonly retryable = false;
  override readonly cacheable = true;
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
  readonly retryable = false;
  /** True unless the build ran with another compiler than its identity names (a host whose settings differ). */
  readonly cacheable: boolean;
  constructor(
    readonly context: BuildContext,
    readonly containerExitCode: number,
    options: FarmErrorOptions & { cacheable?: boolean } = {},
  ) {
    super(
      `${context.package} on ${context.target}: exited ${containerExitCode} (log: ${context.logPath})`,
      options,
    );
    this.cacheable = options.cacheable ?? true;
  }
}

/** A build step ran past its wall-clock limit and was killed. */
export class BuildTimeoutError extends FarmError {
  readonly code = 'E_BUILD_TIMEOUT';
  readonly exitCode = ExitCode.failure;
  readonly retryable = false;
  readonly cacheable = false;
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
  readonly retryable = true;
  readonly cacheable = false;
}

/** A wheel was refused by the repository's checks; nothing was written. */
export class WheelRejectedError extends FarmError {
  readonly code = 'E_WHEEL_REJECTED';
  readonly exitCode = ExitCode.failure;
  readonly retryable = false;
  readonly cacheable = true;
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
  readonly retryable = false;
  // The token's problem, not the package's: another worker (or a new token) may build it.
  readonly cacheable = false;
  constructor(
    readonly status: 401 | 403,
    message: string,
    options: FarmErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * This worker can't finish the job but another one can: its token was
 * revoked, so it may deliver nothing more. The job goes back to the queue as
 * it was (no attempt counted, no result recorded) and the worker stops.
 */
export class JobHandedBackError extends FarmError {
  readonly code = 'E_HANDED_BACK';
  readonly exitCode = ExitCode.failure;
  readonly retryable = true;
  readonly cacheable = false;
}

/** Something named does not exist: a request id, a project, an image. */
export class NotFoundError extends FarmError {
  readonly code = 'E_NOT_FOUND';
  readonly exitCode = ExitCode.failure;
  readonly retryable = true;
  readonly cacheable = false;
}

/** Maps anything thrown to the process exit code. Unknown errors are failures. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof FarmError ? error.exitCode : ExitCode.failure;
}

/**
 * What a failure means for a job queue, from its class. Errors read back
 * from a queue or another process are plain objects that keep only their
 * fields: their own `retryable`/`cacheable` then, or their `code`, which
 * names the class. Unknown errors (a bug, anything unexpected): undefined.
 */
export function failureMeaning(error: unknown): FailureMeaning | undefined {
  if (error instanceof FarmError) return error;
  const fields = error as { retryable?: unknown; cacheable?: unknown; code?: unknown } | null;
  if (typeof fields?.retryable === 'boolean' && typeof fields.cacheable === 'boolean') {
    return { retryable: fields.retryable, cacheable: fields.cacheable };
  }
  return typeof fields?.code === 'string' ? meaningOfCode().get(fields.code) : undefined;
}

let byCode: Map<string, FailureMeaning> | undefined;
/** Each error class's meaning by its code, read from one instance of each. */
function meaningOfCode(): Map<string, FailureMeaning> {
  const context: BuildContext = { target: '', package: '', logPath: '', logTail: '' };
  byCode ??= new Map(
    [
      new UsageError(''),
      new ConfigError('', []),
      new InputFileError('', 0, ''),
      new MissingFileError(''),
      new HostError(''),
      new RecipeNotApplicableError(''),
      new BuildFailedError(context, 0),
      new BuildTimeoutError(context, 0),
      new TransientError(''),
      new WheelRejectedError('', ''),
      new AccessDeniedError(401, ''),
      new JobHandedBackError(''),
      new NotFoundError(''),
      new CancelledError(''),
    ].map((e): [string, FailureMeaning] => [e.code, { retryable: e.retryable, cacheable: e.cacheable }]),
  );
  return byCode;
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
  readonly retryable = false;
  readonly cacheable = false;
}
