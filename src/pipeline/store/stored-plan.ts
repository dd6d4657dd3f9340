/**
 * A request's resolutions and plan as saved in Redis between the steps of
 * the request job, so a rerun (after a worker crash) resumes without
 * resolving or planning again. Validated when read back.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { validate } from '../../validation/validate.js';
import type { BuildPlan } from '../request-job/build-plan.js';
import { ResolveResult } from '../contract/job-data.js';
import { RETENTION_SECONDS, type FarmKeys } from './keys.js';

const PlannedRowSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  target: z.string(),
  python: z.string(),
  repository: z.string(),
  action: z.enum(['cached', 'mirror', 'build', 'skip']),
  wheel: z.string().optional(),
  reason: z.string().optional(),
  taskId: z.string().optional(),
});

const MirrorTaskSchema = z.strictObject({
  id: z.string(),
  repository: z.string(),
  name: z.string(),
  version: z.string(),
  filename: z.string(),
  url: z.string(),
  sha256: z.string().optional(),
});

const BuildTaskSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  version: z.string(),
  target: z.string(),
  python: z.string(),
  repository: z.string(),
  image: z.string(),
  recipeHash: z.string(),
  sdist: z.strictObject({ url: z.string(), filename: z.string(), sha256: z.string().optional() }),
  dependsOn: z.array(z.string()),
  reusePureFrom: z.string().optional(),
});

/** Saved after the resolve step (`plan` unset) and again after planning. */
export const StoredPlan = z.strictObject({
  /** Resolutions by `target/python`. */
  resolutions: z.record(z.string(), ResolveResult),
  plannedAt: z.number().optional(),
  plan: z
    .strictObject({
      rows: z.array(PlannedRowSchema),
      mirrors: z.array(MirrorTaskSchema),
      builds: z.array(BuildTaskSchema),
    })
    .optional(),
});
export type StoredPlan = z.infer<typeof StoredPlan>;

/** Compile-time check that the schema and the planner's types agree. */
export const toStoredPlan = (plan: BuildPlan): NonNullable<StoredPlan['plan']> => ({
  rows: plan.rows.map((r) => ({ ...r })),
  mirrors: plan.mirrors.map((m) => ({ ...m })),
  builds: plan.builds.map((b) => ({ ...b, sdist: { ...b.sdist }, dependsOn: [...b.dependsOn] })),
});

export async function readStoredPlan(redis: Redis, keys: FarmKeys, requestId: string): Promise<StoredPlan | undefined> {
  const text = await redis.get(keys.plan(requestId));
  return text === null ? undefined : validate(StoredPlan, JSON.parse(text), `plan of request ${requestId}`);
}

export async function writeStoredPlan(redis: Redis, keys: FarmKeys, requestId: string, plan: StoredPlan): Promise<void> {
  await redis.set(keys.plan(requestId), JSON.stringify(plan), 'EX', RETENTION_SECONDS);
}
