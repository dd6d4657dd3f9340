/**
 * Requests in Redis: the stored input, the status with its rows, and the
 * event stream watchers follow. Statuses change only through `apply` (one
 * pure transition, one MULTI). Cancellation is a separate flag, so asking
 * for it never races with status writes.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { validate } from '../../validation/validate.js';
import { RETENTION_SECONDS, type FarmKeys } from './keys.js';
import { StoredPlan } from './stored-plan.js';
import { transition, type StatusEvent } from '../contract/request-lifecycle.js';
import {
  PythonVersion,
  RequestEvent,
  RequestMetadata,
  RequestOrigin,
  RequestStatus,
  RequestSummary,
  countRows,
  type EventBody,
} from '../contract/request-types.js';

/** A request as stored at submit time: files already read, defaults applied. */
export const StoredRequest = z.strictObject({
  id: z.string().min(1),
  /** Every requirements file read, includes too. */
  requirements: z.array(z.strictObject({ path: z.string(), text: z.string() })).min(1),
  /** The files the caller named (the rest were included by them). */
  roots: z.array(z.string()).min(1),
  targets: z.array(z.string()).min(1),
  /** Python versions per target. */
  python: z.record(z.string(), z.array(PythonVersion).min(1)),
  indexUrl: z.url(),
  extraIndexUrls: z.array(z.url()),
  origin: RequestOrigin,
  metadata: RequestMetadata,
  rebuildFailed: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type StoredRequest = z.infer<typeof StoredRequest>;

/** Redis-backed request records. */
export class RequestStore {
  constructor(
    readonly redis: Redis,
    readonly keys: FarmKeys,
  ) {}

  /** Records a new request and its initial status. */
  async create(request: StoredRequest, status: RequestStatus): Promise<void> {
    const multi = this.redis
      .multi()
      .set(this.keys.input(request.id), JSON.stringify(request), 'EX', RETENTION_SECONDS)
      .set(this.keys.status(request.id), JSON.stringify(status), 'EX', RETENTION_SECONDS)
      .zadd(this.keys.requests(), Date.parse(request.createdAt), request.id);
    this.#append(multi, request.id, [{ type: 'state', state: status.state }], new Date().toISOString());
    await multi.exec();
  }

  async input(requestId: string): Promise<StoredRequest> {
    const text = await this.redis.get(this.keys.input(requestId));
    if (text === null) throw new NotFoundError(`no request '${requestId}'`);
    return validate(StoredRequest, JSON.parse(text), `request ${requestId} input`);
  }

  async status(requestId: string): Promise<RequestStatus> {
    const text = await this.redis.get(this.keys.status(requestId));
    if (text === null) throw new NotFoundError(`no request '${requestId}'`, { hint: 'farm status lists recent requests' });
    return validate(RequestStatus, JSON.parse(text), `request ${requestId} status`);
  }

  /**
   * Applies what happened to a request (see `transition`): reads its status,
   * computes the next one, and writes it together with the events that
   * describe the change in one MULTI, so a watcher never sees an event
   * before its status or a status without its events. Returns the new
   * status, or `undefined` when the lifecycle refuses the event (the request
   * already ended: a late row update of a cancelled request, say).
   *
   * One writer at a time: while a request job runs, it alone changes the
   * request's status; `Engine.cancel` changes it only when no job runs it.
   *
   * @throws NotFoundError for an unknown request.
   */
  async apply(requestId: string, event: StatusEvent, now: Date = new Date()): Promise<RequestStatus | undefined> {
    const at = now.toISOString();
    const result = transition(await this.status(requestId), event, at);
    if (!result.ok) return undefined;
    const multi = this.redis.multi().set(this.keys.status(requestId), JSON.stringify(result.status), 'EX', RETENTION_SECONDS);
    this.#append(multi, requestId, result.events, at);
    await multi.exec();
    return result.status;
  }

  /** Queues the events' XADDs (and the stream's expiry) on `multi`. */
  #append(multi: ChainableCommander, requestId: string, bodies: readonly EventBody[], at: string): void {
    if (bodies.length === 0) return;
    const key = this.keys.events(requestId);
    for (const body of bodies) {
      const event: RequestEvent = { ...body, requestId, at };
      multi.xadd(key, 'MAXLEN', '~', '100000', '*', 'e', JSON.stringify(event));
    }
    multi.expire(key, RETENTION_SECONDS);
  }

  /** Newest first. */
  async list(limit: number): Promise<RequestSummary[]> {
    const ids = await this.redis.zrevrange(this.keys.requests(), 0, Math.max(0, limit - 1));
    const out: RequestSummary[] = [];
    for (const id of ids) {
      try {
        const s = await this.status(id);
        out.push({
          id: s.id,
          state: s.state,
          origin: s.origin,
          targets: s.targets,
          createdAt: s.createdAt,
          ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
          counts: countRows(s.rows),
        });
      } catch (error) {
        // Expired between the two reads: drop it from the index.
        if (error instanceof NotFoundError) await this.redis.zrem(this.keys.requests(), id);
        else throw error;
      }
    }
    return out;
  }

  async markCancelled(requestId: string): Promise<void> {
    await this.redis.set(this.keys.cancelled(requestId), new Date().toISOString(), 'EX', RETENTION_SECONDS);
  }

  async isCancelled(requestId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.cancelled(requestId))) === 1;
  }

  /** The saved resolutions and plan of a request (see stored-plan.ts), if any. */
  async plan(requestId: string): Promise<StoredPlan | undefined> {
    const text = await this.redis.get(this.keys.plan(requestId));
    return text === null ? undefined : validate(StoredPlan, JSON.parse(text), `plan of request ${requestId}`);
  }

  async savePlan(requestId: string, plan: StoredPlan): Promise<void> {
    await this.redis.set(this.keys.plan(requestId), JSON.stringify(plan), 'EX', RETENTION_SECONDS);
  }

  /** Counts a regeneration of a repository's index (diagnostics, tests). */
  async countIndexRun(repository: string): Promise<void> {
    await this.redis.incr(this.keys.indexRuns(repository));
  }

  /** Asks whichever worker runs the job to abort it (and its container). */
  async cancelJob(jobId: string): Promise<void> {
    await this.redis.publish(this.keys.cancelChannel(), jobId);
  }

  /**
   * Calls `onJobId` for every job whose cancellation is asked for.
   * `subscriber` must be a connection of its own (it enters subscriber mode).
   */
  async onJobCancel(subscriber: Redis, onJobId: (jobId: string) => void): Promise<void> {
    await subscriber.subscribe(this.keys.cancelChannel());
    subscriber.on('message', (_channel: string, jobId: string) => onJobId(jobId));
  }

  /** Stream id of the request's last event (`0` when it has none). */
  async lastEventId(requestId: string): Promise<string> {
    const last = (await this.redis.xrevrange(this.keys.events(requestId), '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last[0]?.[0] ?? '0';
  }

  /**
   * Reads a request's events after `after` (stream id; `0` from the start),
   * blocking up to `blockMs` for new ones. `reader` must be a connection of
   * its own: blocking reads hold it.
   */
  async readEvents(reader: Redis, requestId: string, after: string, blockMs: number): Promise<{ id: string; event: RequestEvent }[]> {
    const key = this.keys.events(requestId);
    const reply = (await reader.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', key, after)) as
      | [string, [string, string[]][]][]
      | null;
    if (reply === null) return [];
    const entries = reply[0]?.[1] ?? [];
    return entries.map(([id, fields]) => {
      const json = fields[fields.indexOf('e') + 1] ?? 'null';
      return { id, event: validate(RequestEvent, JSON.parse(json), `event ${id} of ${key}`) };
    });
  }
}
