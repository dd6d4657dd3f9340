/**
 * Requests in Redis: the stored input, the status with its rows, and the
 * event stream watchers follow. The request job is the only writer of a
 * request's status while it runs; cancellation is a separate flag so it never
 * races with status writes.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { validate } from '../../validation/validate.js';
import { RETENTION_SECONDS, type FarmKeys } from './keys.js';
import {
  PythonVersion,
  RequestEvent,
  RequestMetadata,
  RequestOrigin,
  RequestStatus,
  RequestSummary,
  countRows,
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

/** A `RequestEvent` without its `requestId` and `at` (the store adds them). */
export type EventBody =
  | { type: 'state'; state: RequestStatus['state'] }
  | { type: 'row'; row: RequestStatus['rows'][number] }
  | { type: 'message'; level: 'info' | 'warn' | 'error'; text: string }
  | { type: 'finished'; state: RequestStatus['state']; counts: ReturnType<typeof countRows> };

/** Redis-backed request records. */
export class RequestStore {
  constructor(
    readonly redis: Redis,
    readonly keys: FarmKeys,
  ) {}

  /** Records a new request and its initial status. */
  async create(request: StoredRequest, status: RequestStatus): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.input(request.id), JSON.stringify(request), 'EX', RETENTION_SECONDS)
      .set(this.keys.status(request.id), JSON.stringify(status), 'EX', RETENTION_SECONDS)
      .zadd(this.keys.requests(), Date.parse(request.createdAt), request.id)
      .exec();
    await this.emit(request.id, { type: 'state', state: status.state });
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

  /** Writes the status (whole) and appends the events describing the change. */
  async save(status: RequestStatus, events: readonly EventBody[] = []): Promise<void> {
    status.updatedAt = new Date().toISOString();
    await this.redis.set(this.keys.status(status.id), JSON.stringify(status), 'EX', RETENTION_SECONDS);
    for (const event of events) await this.emit(status.id, event);
  }

  /** Appends one event to the request's stream. */
  async emit(requestId: string, body: EventBody): Promise<void> {
    const event: RequestEvent = { ...body, requestId, at: new Date().toISOString() };
    const key = this.keys.events(requestId);
    await this.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', '100000', '*', 'e', JSON.stringify(event))
      .expire(key, RETENTION_SECONDS)
      .exec();
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

  /**
   * Reads events after `after` (stream id; `0` from the start), blocking up
   * to `blockMs` for new ones. `reader` must be a connection of its own:
   * blocking reads hold it.
   */
  static async readEvents(
    reader: Redis,
    key: string,
    after: string,
    blockMs: number,
  ): Promise<{ id: string; event: RequestEvent }[]> {
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
