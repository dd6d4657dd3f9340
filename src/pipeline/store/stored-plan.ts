/**
 * A request's resolutions and plan as saved in Redis between the steps of
 * the request job, so a rerun (after a worker crash) resumes without
 * resolving or planning again. Validated when read back.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { validate } from '../../validation/validate.js';
import { BuildPlan } from '../contract/plan.js';
import { ResolveResult } from '../contract/job-data.js';
import { RETENTION_SECONDS, type FarmKeys } from './keys.js';

/** Saved after the resolve step (`plan` unset) and again after planning. */
export const StoredPlan = z.strictObject({
  /** Resolutions by `target/python`. */
  resolutions: z.record(z.string(), ResolveResult),
  plannedAt: z.number().optional(),
  plan: BuildPlan.optional(),
});
export type StoredPlan = z.infer<typeof StoredPlan>;

export async function readStoredPlan(redis: Redis, keys: FarmKeys, requestId: string): Promise<StoredPlan | undefined> {
  const text = await redis.get(keys.plan(requestId));
  return text === null ? undefined : validate(StoredPlan, JSON.parse(text), `plan of request ${requestId}`);
}

export async function writeStoredPlan(redis: Redis, keys: FarmKeys, requestId: string, plan: StoredPlan): Promise<void> {
  await redis.set(keys.plan(requestId), JSON.stringify(plan), 'EX', RETENTION_SECONDS);
}
