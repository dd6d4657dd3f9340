/**
 * The data farm's BullMQ jobs carry and return, as zod schemas. Everything
 * read back from Redis (job data, return values, result records) is validated
 * with these before use: Redis is shared infrastructure, and a worker of
 * another farm version may have written it.
 */
import { z } from 'zod';
import { EffectiveRecipe } from '../../recipes/effective-recipe.js';
import { Recipe } from '../../recipes/recipe-schema.js';
import { ResolvedSet } from './resolved-set.js';

const NonEmpty = z.string().min(1);

/** Steps of the request job, saved in its data so a rerun resumes where it stopped. */
export const RequestStep = z.enum(['resolve', 'plan', 'build', 'index', 'done']);
export type RequestStep = z.infer<typeof RequestStep>;

/** Data of the request (parent) job. */
export const RequestJobData = z.strictObject({
  requestId: NonEmpty,
  step: RequestStep,
});
export type RequestJobData = z.infer<typeof RequestJobData>;

/** Data of a resolve job: pip resolves the requirement set in a container of the target. */
export const ResolveJobData = z.strictObject({
  requestId: NonEmpty,
  target: NonEmpty,
  python: NonEmpty,
  /** The target's repository: its wheels are offered to pip with `--find-links`. */
  repository: NonEmpty,
  indexUrl: z.url(),
  extraIndexUrls: z.array(z.url()),
  /** requirements.txt for this target and Python: markers evaluated, includes flattened. */
  requirementsText: z.string(),
  /** Constraints (`-c` files) for this target and Python, passed with `-c`. */
  constraintsText: z.string(),
  /**
   * The recipes that add build requirements (`buildRequires`), by normalised
   * project name: the resolve job adds them to what the sdists declare.
   */
  recipes: z.record(z.string(), Recipe).default({}),
});
export type ResolveJobData = z.infer<typeof ResolveJobData>;

/** Return value of a resolve job. Deterministic failures are values, not exceptions. */
export const ResolveResult = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    set: ResolvedSet,
    logPath: NonEmpty,
    /** The image pip ran in: builds of this set use it. */
    image: z.strictObject({ reference: NonEmpty, id: NonEmpty, toolchain: NonEmpty.optional() }),
  }),
  z.strictObject({ ok: z.literal(false), error: z.string(), logPath: NonEmpty }),
]);
export type ResolveResult = z.infer<typeof ResolveResult>;

/** Data of a build job: one sdist, one target, one Python version. */
export const BuildJobData = z.strictObject({
  buildId: NonEmpty,
  /** The request that created the job; its log directory holds the log. */
  requestId: NonEmpty,
  name: NonEmpty,
  displayName: NonEmpty,
  version: NonEmpty,
  target: NonEmpty,
  python: NonEmpty,
  repository: NonEmpty,
  image: NonEmpty,
  recipeHash: NonEmpty,
  /** The effective recipe for this target and version. */
  recipe: EffectiveRecipe,
  sdist: z.strictObject({ url: NonEmpty, filename: NonEmpty, sha256: z.string().optional() }),
  indexUrl: z.url(),
  extraIndexUrls: z.array(z.url()),
  /**
   * The wheels the compile installs (its build environment), each already in
   * the target's repository: the scheduler enqueues the build only once all are.
   */
  buildDeps: z.array(z.strictObject({ name: NonEmpty, version: NonEmpty, filename: NonEmpty })).default([]),
  /** When the job was enqueued (ms since epoch), for overhead figures. */
  enqueuedAt: z.number(),
  /** How many other builds of the request wait for this one: they go first for a free slot. */
  blocking: z.int().nonnegative().default(0),
});
export type BuildJobData = z.infer<typeof BuildJobData>;

/** Data of a mirror job: one upstream wheel into one repository. */
export const MirrorJobData = z.strictObject({
  mirrorId: NonEmpty,
  requestId: NonEmpty,
  repository: NonEmpty,
  name: NonEmpty,
  version: NonEmpty,
  filename: NonEmpty,
  url: NonEmpty,
  sha256: z.string().optional(),
});
export type MirrorJobData = z.infer<typeof MirrorJobData>;

/** How a build or mirror job ended. */
export const TaskState = z.enum(['built', 'mirrored', 'cached', 'failed', 'cancelled']);
export type TaskState = z.infer<typeof TaskState>;

/**
 * The outcome of a build or mirror job, stored in Redis under the job id
 * (jobs are removed when they finish; this record outlives them so late
 * watchers and sharing requests can read it).
 */
export const TaskResult = z.strictObject({
  taskId: NonEmpty,
  requestId: NonEmpty,
  state: TaskState,
  repository: NonEmpty,
  /** The wheel now serving the package. */
  wheel: z.string().optional(),
  logPath: z.string().optional(),
  error: z.string().optional(),
  /** A failure that happens again with the same inputs (compiler error, smoke test): not rebuilt by default. */
  deterministic: z.boolean().default(false),
  durationMs: z.number().nonnegative(),
  /** Time spent inside containers (build, repair, smoke test). */
  containerMs: z.number().nonnegative().default(0),
  /** Containers this job started. */
  containers: z.int().nonnegative().default(0),
  /**
   * Where a build's time went outside its processes, in ms by phase
   * (`download`, `prepare`, `compile.create`, `compile.start`, `compile.run`,
   * `smoke.remove`, `collect`, …): what bench/build.ts reports as overhead.
   */
  timings: z.record(z.string(), z.number()).optional(),
  startedAt: z.number(),
  finishedAt: z.number(),
  enqueuedAt: z.number().optional(),
});
export type TaskResult = z.infer<typeof TaskResult>;
