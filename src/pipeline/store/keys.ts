/**
 * Queue names and Redis keys of one farm (one prefix). Every process that
 * shares a prefix shares the farm: the CLI that submits, the workers on every
 * host, the API server. Pure.
 */

/** Default prefix of BullMQ's keys and farm's own. */
export const DEFAULT_PREFIX = 'farm';

/** The orchestrating queue: one request job (flow parent) per request. */
export const REQUEST_QUEUE = 'requests';
/** Mirror jobs: downloads need no container, any worker takes them. */
export const MIRROR_QUEUE = 'mirror';

/** The queue of one target: its resolve and build jobs. Workers subscribe per target. */
export function targetQueue(targetId: string): string {
  return `target-${targetId}`;
}

/** Job names: `request` in the requests queue, `resolve` and `build` in target queues, `mirror` in the mirror queue. */
export const JOB_NAMES = { resolve: 'resolve', build: 'build', mirror: 'mirror', request: 'request' } as const;

/** The request job's id (the flow's root). */
export function requestJobId(requestId: string): string {
  return `request-${requestId}`;
}

/** farm's own keys under a prefix (BullMQ's live under `<prefix>:<queue>:`). */
export class FarmKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}

  private key(...parts: string[]): string {
    return [this.prefix, 'farm', ...parts].join(':');
  }

  /** JSON `RequestStatus`. */
  status(requestId: string): string {
    return this.key('req', requestId, 'status');
  }
  /** JSON `StoredRequest`: the validated input with files read. */
  input(requestId: string): string {
    return this.key('req', requestId, 'input');
  }
  /** JSON `StoredPlan`: what the planner decided, so a rerun does not plan again. */
  plan(requestId: string): string {
    return this.key('req', requestId, 'plan');
  }
  /** Stream of `RequestEvent`s. */
  events(requestId: string): string {
    return this.key('req', requestId, 'events');
  }
  /** Set when the request is cancelled; value: ISO time. */
  cancelled(requestId: string): string {
    return this.key('req', requestId, 'cancelled');
  }
  /** Sorted set of request ids by creation time. */
  requests(): string {
    return this.key('requests');
  }
  /** Set of request ids waiting for a build or mirror task. */
  requesters(taskId: string): string {
    return this.key('task', taskId, 'requesters');
  }
  /** JSON `TaskResult` of the task's last run. */
  result(taskId: string): string {
    return this.key('task', taskId, 'result');
  }
  /** JSON resolve cache entry of a resolution's inputs (see target-jobs/resolve-cache.ts). */
  resolveCache(cacheKey: string): string {
    return this.key('resolve-cache', cacheKey);
  }
  /** Pub/sub channel: job ids to cancel, one message each. */
  cancelChannel(): string {
    return this.key('cancel');
  }
  /** Counter of index regenerations per repository (diagnostics, tests). */
  indexRuns(repository: string): string {
    return this.key('index-runs', repository);
  }
  /** Prefix of the worker registry (`RedisWorkerRegistry`). */
  workerRegistryPrefix(): string {
    return `${this.key('registry')}:`;
  }
}

/** How long finished requests and task results are kept. */
export const RETENTION_SECONDS = 30 * 24 * 3600;
