/**
 * What happened to each trigger (a webhook push or a schedule run) before and
 * after it became a build request. A trigger's id is what `farm api` answers
 * at once; the build request id only exists once the trigger job has fetched
 * the commit and submitted, so the record maps one to the other.
 */
import { z } from 'zod';
import { Forge } from '../config/schema.js';
import { validate } from '../validation/validate.js';

/** Trigger lifecycle: `queued` → `fetching` → `submitted` | `failed`. */
export const TriggerState = z.enum(['queued', 'fetching', 'submitted', 'failed']);
export type TriggerState = z.infer<typeof TriggerState>;

/** One trigger as stored in Redis. */
export const TriggerRecord = z.strictObject({
  id: z.string(),
  set: z.string(),
  origin: z.enum(['webhook', 'schedule']),
  state: TriggerState,
  /** The build request it became (the engine's id). */
  requestId: z.string().optional(),
  forge: Forge.optional(),
  sha: z.string().optional(),
  ref: z.string().optional(),
  repository: z.string().optional(),
  delivery: z.string().optional(),
  error: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TriggerRecord = z.infer<typeof TriggerRecord>;

/** The subset of an ioredis client the records use. */
export interface RecordsRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ex: 'EX', seconds: number): Promise<unknown>;
}

/** Trigger records are kept for 30 days, like finished build requests. */
const RECORD_TTL_SECONDS = 30 * 24 * 3600;

/** Trigger records in Redis, one JSON value per trigger at `<prefix>:farm:trigger:<id>`. */
export class TriggerRecords {
  constructor(
    private readonly redis: RecordsRedis,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(id: string): string {
    return `${this.prefix}:farm:trigger:${id}`;
  }

  /** The record, or undefined when unknown (or expired). */
  async get(id: string): Promise<TriggerRecord | undefined> {
    const text = await this.redis.get(this.key(id));
    if (text === null) return undefined;
    return validate(TriggerRecord, JSON.parse(text) as unknown, `trigger record ${id}`);
  }

  private lastKey(set: string): string {
    return `${this.prefix}:farm:trigger-last:${set}`;
  }

  /** Creates a `queued` record (or overwrites one); it becomes its set's latest. */
  async create(fields: Omit<TriggerRecord, 'state' | 'createdAt' | 'updatedAt'>): Promise<TriggerRecord> {
    const at = this.now().toISOString();
    const record: TriggerRecord = { ...fields, state: 'queued', createdAt: at, updatedAt: at };
    await this.write(record);
    await this.redis.set(this.lastKey(record.set), record.id, 'EX', RECORD_TTL_SECONDS);
    return record;
  }

  /** The most recent trigger of a tracked set (webhook or schedule), if any within the last 30 days. */
  async latestOfSet(set: string): Promise<TriggerRecord | undefined> {
    const id = await this.redis.get(this.lastKey(set));
    return id === null ? undefined : this.get(id);
  }

  /** Updates fields of an existing record; returns the new record. */
  async update(id: string, fields: Partial<Pick<TriggerRecord, 'state' | 'requestId' | 'error' | 'sha'>>): Promise<TriggerRecord> {
    const current = await this.get(id);
    if (current === undefined) throw new Error(`trigger record ${id} vanished`);
    const record = { ...current, ...fields, updatedAt: this.now().toISOString() };
    await this.write(record);
    return record;
  }

  private async write(record: TriggerRecord): Promise<void> {
    await this.redis.set(this.key(record.id), JSON.stringify(record), 'EX', RECORD_TTL_SECONDS);
  }
}
