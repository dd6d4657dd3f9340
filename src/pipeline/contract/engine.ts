/**
 * The contract of the build pipeline with its callers (the CLI, the API
 * server, the scheduler): the `Engine` that submits and follows requests,
 * and the workers that process them, with their options. Types only: the
 * implementations (`openEngine` in client/, `startWorkers` and `runWorkers`
 * in worker/) import this file, never the other way round. Callers import
 * both from `src/pipeline/index.ts`.
 */
import type {
  BuildRequestInputArg,
  RequestEvent,
  RequestStatus,
  RequestSummary,
} from './request-types.js';

/** How to reach Redis and name farm's keys. */
export interface ConnectionOptions {
  /** `redis://…` or `unix:///path/to/redis.sock`; defaults to `config.redis.url`. */
  redisUrl?: string;
  /**
   * BullMQ key prefix and farm's own key prefix (default `farm`). Tests use a
   * random one per test so they never see each other's queues.
   */
  prefix?: string;
}

/** Options of `openEngine`. */
export interface EngineOptions extends ConnectionOptions {
  /**
   * Also run workers in this process (embedded mode, `farm build` without
   * `REDIS_URL`). `true` serves every target with `config.concurrency.builds`.
   */
  workers?: boolean | Omit<WorkerOptions, keyof ConnectionOptions | 'signal'>;
}

/** Options of `Engine.watch`. */
export interface WatchOptions {
  /** Stop following early. */
  signal?: AbortSignal;
  /** Replay the events recorded so far before the live ones (default true). */
  replay?: boolean;
}

/** Options of `Engine.wait`. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up after this many ms with a `TransientError` (default: no limit). */
  timeoutMs?: number;
}

/** A connection to the farm's queues. Close it when done. */
export interface Engine {
  /**
   * Validates and records a request, reads requirement files given as paths,
   * and enqueues its flow. Returns the request id at once; the work happens
   * in workers. Throws `ConfigError` for invalid input, `MissingFileError`
   * for unreadable requirement files.
   */
  submit(input: BuildRequestInputArg): Promise<string>;
  /** Current status with one row per package × target × python. `NotFoundError` if unknown. */
  status(requestId: string): Promise<RequestStatus>;
  /** The most recent requests, newest first (default limit 20). */
  list(options?: { limit?: number }): Promise<RequestSummary[]>;
  /**
   * Follows a request's progress: replays the events so far, then yields new
   * ones until the `finished` event (inclusive). `onEvent`, when given, is
   * called for each event as well.
   */
  watch(
    requestId: string,
    onEvent?: (event: RequestEvent) => void,
    options?: WatchOptions,
  ): AsyncIterable<RequestEvent>;
  /** Resolves with the final status once the request is done, failed or cancelled. */
  wait(requestId: string, options?: WaitOptions): Promise<RequestStatus>;
  /**
   * Cancels a request: queued jobs of it are removed, running build
   * containers stop (jobs shared with other live requests keep running for
   * them). A finished request is left as it is.
   */
  cancel(requestId: string): Promise<void>;
  /**
   * Submits a new request with the same input. With `failedOnly`, only the
   * packages whose rows failed are rebuilt (the rest are left to the cache).
   * Returns the new request id.
   */
  retry(requestId: string, options?: { failedOnly?: boolean }): Promise<string>;
  /**
   * Path of the full build log of a package on a target (the last Python
   * version if not given). `NotFoundError` when no job ran for it.
   */
  logPath(requestId: string, packageName: string, target: string, python?: string): Promise<string>;
  /** Closes queues, connections and embedded workers. Idempotent. */
  close(): Promise<void>;
}

/** Options of `runWorkers`. */
export interface WorkerOptions extends ConnectionOptions {
  /** Target ids this process serves (default: every target of the catalog the hosts can run). */
  targets?: readonly string[];
  /** Build jobs at once in this process (default `config.concurrency.builds`). */
  concurrency?: number;
  /** Stops the workers gracefully: running jobs finish, no new ones start. */
  signal?: AbortSignal;
  /** A stable id for this worker process (labels its containers); default host+pid. */
  workerId?: string;
  /** Called with one line per notable worker event (job start/end, sweep). */
  log?: (line: string) => void;
  /** Also run request (orchestrating) jobs, not only builds (default true). */
  orchestrate?: boolean;
  /** Name prefix of the per-target Docker cache volumes (default `pipeline.cacheVolumePrefix`). */
  cacheVolumePrefix?: string;
  /** Timing knobs; the defaults suit production, tests shorten them. */
  tuning?: WorkerTuning;
  /**
   * Run as a remote worker: no repository root. Published wheels are read
   * from the served index; wheels and build logs go to farm api at
   * `serverUrl`, authenticated by the worker token in `tokenFile`. A remote
   * worker takes resolve and build jobs of its targets only (no request or
   * mirror jobs), and stops when its token is revoked, handing back the jobs
   * it holds.
   */
  remote?: { serverUrl: string; tokenFile: string };
}

/**
 * Crash-recovery and polling timings. A job whose worker died is noticed
 * after about `lockDurationMs` + `stalledIntervalMs` and runs again
 * elsewhere; its container is removed once the dead worker's heartbeat
 * (`heartbeatTtlSeconds`) lapsed and a sweep (`sweepIntervalMs`) ran.
 */
export interface WorkerTuning {
  /** BullMQ job lock; renewed every half of it while the job runs (default 60 s). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (default 30 s). */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails (default 3). */
  maxStalledCount?: number;
  /** Worker heartbeat lifetime (default 30 s). */
  heartbeatTtlSeconds?: number;
  /** How often orphaned containers are swept (default 60 s; also once at start). */
  sweepIntervalMs?: number;
  /** Fallback poll of job states by the request job (default 2 s). */
  pollMs?: number;
  /** How often a remote worker checks its token is still valid (default 15 s). */
  tokenCheckMs?: number;
  /**
   * Containers with the network off join a pooled holder's namespace instead
   * of getting their own (default true; `false` only to measure the
   * difference, see network-holders.ts and bench/build.ts).
   */
  networkHolders?: boolean;
}

/** Running workers of one process. */
export interface WorkerPool {
  readonly workerId: string;
  /** Target ids this pool builds for. */
  readonly targets: readonly string[];
  /** Stops taking jobs, waits for running ones, closes connections. */
  close(): Promise<void>;
  /**
   * Settles when the pool stopped by itself: rejects with the reason (a
   * remote worker's token was revoked: `AccessDeniedError`); never settles
   * otherwise.
   */
  readonly stopped: Promise<never>;
}
