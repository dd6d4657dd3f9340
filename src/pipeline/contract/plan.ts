/**
 * A request's build plan: what the planner (request-job/build-plan.ts)
 * decided for every pinned package, the mirror and build tasks that carry
 * it out. Stored in Redis between the request job's steps and read back by
 * the scheduler, so the zod schemas are the source and the types are
 * inferred from them.
 */
import { z } from 'zod';

/** What happens to one `(package, target, python)`. */
export const PlanAction = z.enum(['cached', 'mirror', 'build', 'skip', 'fail']);
export type PlanAction = z.infer<typeof PlanAction>;

/** One row of the plan. */
export const PlannedRow = z.strictObject({
  name: z.string(),
  version: z.string(),
  target: z.string(),
  python: z.string(),
  repository: z.string(),
  action: PlanAction,
  /** `cached`: the wheel in the repository; `mirror`: the upstream file. */
  wheel: z.string().optional(),
  reason: z.string().optional(),
  /** The task (mirror or build) that serves the row. */
  taskId: z.string().optional(),
  /** Only needed to build other packages of the request (a build dependency), not asked for. */
  buildDependency: z.boolean().optional(),
});
export type PlannedRow = z.infer<typeof PlannedRow>;

/** Download one upstream wheel into one repository. */
export const MirrorTask = z.strictObject({
  id: z.string(),
  repository: z.string(),
  name: z.string(),
  version: z.string(),
  filename: z.string(),
  url: z.string(),
  sha256: z.string().optional(),
});
export type MirrorTask = z.infer<typeof MirrorTask>;

/**
 * One wheel a build installs into its build environment: already in the
 * repository (`wheel`), or made by a task of the plan first (`taskId`), or
 * impossible (`problem`: skipped by its recipe, or it can't be built).
 */
export const BuildDepRef = z.strictObject({
  name: z.string(),
  version: z.string(),
  taskId: z.string().optional(),
  wheel: z.string().optional(),
  problem: z.string().optional(),
});
export type BuildDepRef = z.infer<typeof BuildDepRef>;

/** Build one sdist for one target and Python version. */
export const BuildTask = z.strictObject({
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
  /** Tasks whose wheels must be in the repository first (the smoke test installs them). */
  dependsOn: z.array(z.string()),
  /**
   * The build environment: every wheel the compile installs, from the
   * repository. Their tasks must have succeeded before the build is enqueued.
   */
  buildDeps: z.array(BuildDepRef).default([]),
  /**
   * Set on every build of a project but the first: wait for that task, and
   * when it produced a pure-Python wheel, use that wheel (collected into this
   * build's repository when it is another one) instead of building.
   */
  reusePureFrom: z.string().optional(),
});
export type BuildTask = z.infer<typeof BuildTask>;

/** The whole plan of a request. */
export const BuildPlan = z.strictObject({
  rows: z.array(PlannedRow),
  mirrors: z.array(MirrorTask),
  builds: z.array(BuildTask),
});
export type BuildPlan = z.infer<typeof BuildPlan>;
