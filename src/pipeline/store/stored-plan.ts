/**
 * A request's resolutions and plan as saved in Redis between the steps of
 * the request job, so a rerun (after a worker crash) resumes without
 * resolving or planning again. Read and written by `RequestStore`, which
 * validates it when read back.
 */
import { z } from 'zod';
import { BuildPlan } from '../contract/plan.js';
import { ResolveResult } from '../contract/job-data.js';

/** Saved after the resolve step (`plan` unset) and again after planning. */
export const StoredPlan = z.strictObject({
  /** Resolutions by `target/python`. */
  resolutions: z.record(z.string(), ResolveResult),
  plannedAt: z.number().optional(),
  plan: BuildPlan.optional(),
});
export type StoredPlan = z.infer<typeof StoredPlan>;
