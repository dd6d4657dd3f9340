/**
 * The build request contract shared by the engine, the CLI, the API server
 * and the scheduler: what a caller submits, the status it reads back, and
 * the progress events it can follow live. Everything here is validated at
 * the boundary (CLI flags, webhook bodies, data read back from Redis) with
 * these schemas.
 */
import { z } from 'zod';
import { TARGETS } from '../../targets/catalog.js';

/** `3.11`, `3.12`: CPython feature versions. */
export const PythonVersion = z.string().regex(/^3\.\d{1,2}$/, 'expected a Python version like "3.11"');
export type PythonVersion = z.infer<typeof PythonVersion>;

/** A catalog target id such as `glibc-armv7`. */
export const TargetId = z.string().refine((id) => TARGETS.has(id), {
  error: (issue) => `unknown target '${String(issue.input)}'; valid targets: ${[...TARGETS.keys()].join(', ')}`,
});
export type TargetId = z.infer<typeof TargetId>;

/**
 * A requirements file, either already read (`{ path, text }`, what webhooks
 * and schedules send: `path` is only a label for messages) or a path the
 * engine reads on submit (what the CLI sends).
 */
export const RequirementFile = z.union([
  z.strictObject({
    path: z.string().min(1),
    text: z.string(),
  }),
  z.string().min(1),
]);
export type RequirementFile = z.infer<typeof RequirementFile>;

/** Who asked for a build. Shown in `farm status` and used for metrics. */
export const RequestOrigin = z.enum(['cli', 'webhook', 'schedule']);
export type RequestOrigin = z.infer<typeof RequestOrigin>;

/** Free, flat metadata the origin attaches (commit sha, schedule name, user). */
export const RequestMetadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type RequestMetadata = z.infer<typeof RequestMetadata>;

/**
 * What `Engine.submit` accepts. Targets and Python versions default to the
 * configured ones; `indexUrl` overrides `upstream.indexUrl` for this request
 * only (`farm build --index-url`).
 */
export const BuildRequestInput = z.strictObject({
  requirements: z.array(RequirementFile).min(1, 'at least one requirements file is needed'),
  targets: z.array(TargetId).min(1, 'at least one target is needed'),
  /** Python versions; unset means each target's configured versions. */
  python: z.array(PythonVersion).min(1).optional(),
  /** Upstream index for this request (pip's `--index-url`). */
  indexUrl: z.url().optional(),
  origin: RequestOrigin.default('cli'),
  metadata: RequestMetadata.default({}),
  /**
   * Build again what failed deterministically before with the very same
   * sdist, image and recipe. By default such a build is not rerun: its earlier
   * failure (and log) is reported. `Engine.retry` sets this.
   */
  rebuildFailed: z.boolean().default(false),
});
/** The parsed (defaulted) request. */
export type BuildRequestInput = z.output<typeof BuildRequestInput>;
/** What callers may pass: `origin` and `metadata` are optional. */
export type BuildRequestInputArg = z.input<typeof BuildRequestInput>;

/**
 * The state of one `(package, target, python)` row of a request.
 * - `resolved`: pinned by the resolver, not yet planned.
 * - `cached`: the target's repository already has a compatible wheel.
 * - `mirrored`: upstream's wheel was downloaded, verified and collected.
 * - `queued` / `building`: a build job of this request is waiting / running.
 * - `built`: this request built and published the wheel.
 * - `failed`: the build, repair, smoke test or collection failed (see `error`, `logPath`).
 * - `skipped`: a recipe skips it or a marker excludes it (see `reason`).
 * - `shared`: another request's identical job built (or is building) it.
 */
export const RowState = z.enum([
  'resolved',
  'cached',
  'mirrored',
  'queued',
  'building',
  'built',
  'failed',
  'skipped',
  'shared',
]);
export type RowState = z.infer<typeof RowState>;

/** Row states that will not change any more. */
export const FINAL_ROW_STATES: ReadonlySet<RowState> = new Set(['cached', 'mirrored', 'built', 'failed', 'skipped']);

/** One `(package, target, python)` row of a request's status. */
export const PackageRow = z.strictObject({
  /** Normalised project name. */
  name: z.string(),
  version: z.string(),
  target: z.string(),
  python: z.string(),
  state: RowState,
  /** The wheel that serves this row (built, mirrored or already cached). */
  wheel: z.string().optional(),
  /** Repository the wheel lives in. */
  repository: z.string().optional(),
  /** Wall time of the build or mirror job, when one ran. */
  durationMs: z.number().nonnegative().optional(),
  /** Full log of the job on disk (`farm logs <id> <package> <target>`). */
  logPath: z.string().optional(),
  /** Why it failed: the error message, the last lines of the log. */
  error: z.string().optional(),
  /** Why it was skipped or shared (recipe skip reason, owning request). */
  reason: z.string().optional(),
  /** The BullMQ job id that builds it (the dedupe key). */
  jobId: z.string().optional(),
  /** Only there to build other packages of the request (their build environments need it). */
  buildDependency: z.boolean().optional(),
});
export type PackageRow = z.infer<typeof PackageRow>;

/**
 * Request lifecycle: `queued` → `resolving` → `planning` → `building` →
 * `indexing` → `done` | `failed` | `cancelled`. `done` with failed rows is
 * still `done` when the index was regenerated; `failed` means the request
 * itself could not proceed (resolution failed, infrastructure broke).
 */
export const RequestState = z.enum([
  'queued',
  'resolving',
  'planning',
  'building',
  'indexing',
  'done',
  'failed',
  'cancelled',
]);
export type RequestState = z.infer<typeof RequestState>;

/** Request states that will not change any more. */
export const FINAL_REQUEST_STATES: ReadonlySet<RequestState> = new Set(['done', 'failed', 'cancelled']);

/** A request as stored and reported (`farm status <id>`). */
export const RequestStatus = z.strictObject({
  id: z.string(),
  state: RequestState,
  origin: RequestOrigin,
  metadata: RequestMetadata,
  targets: z.array(z.string()),
  python: z.array(z.string()),
  indexUrl: z.string(),
  /** Requirement file labels (paths), for display. */
  requirementFiles: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  rows: z.array(PackageRow),
  /** Repositories whose index this request regenerated. */
  indexedRepositories: z.array(z.string()).default([]),
  /** Request-level error (resolution failure, cancellation reason). */
  error: z.string().optional(),
  /** Resolver logs per `target/python`, for failed resolutions. */
  resolveLogs: z.record(z.string(), z.string()).default({}),
});
export type RequestStatus = z.infer<typeof RequestStatus>;

/** One line of `Engine.list`. */
export const RequestSummary = z.strictObject({
  id: z.string(),
  state: RequestState,
  origin: RequestOrigin,
  targets: z.array(z.string()),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  /** Row count per state. */
  counts: z.partialRecord(RowState, z.number()),
});
export type RequestSummary = z.infer<typeof RequestSummary>;

/**
 * Live progress of a request, in order. A watcher that starts late first
 * gets the events so far (they are kept with the request), then new ones.
 * The last event of a request is always `finished`.
 */
export const RequestEvent = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('state'),
    requestId: z.string(),
    at: z.iso.datetime(),
    state: RequestState,
  }),
  z.strictObject({
    type: z.literal('row'),
    requestId: z.string(),
    at: z.iso.datetime(),
    row: PackageRow,
  }),
  z.strictObject({
    type: z.literal('message'),
    requestId: z.string(),
    at: z.iso.datetime(),
    level: z.enum(['info', 'warn', 'error']),
    text: z.string(),
  }),
  z.strictObject({
    type: z.literal('finished'),
    requestId: z.string(),
    at: z.iso.datetime(),
    state: RequestState,
    counts: z.partialRecord(RowState, z.number()),
  }),
]);
export type RequestEvent = z.infer<typeof RequestEvent>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A `RequestEvent` without its `requestId` and `at` (the store adds them). */
export type EventBody = DistributiveOmit<RequestEvent, 'requestId' | 'at'>;

/** Row counts per state, for summaries. */
export function countRows(rows: readonly PackageRow[]): Partial<Record<RowState, number>> {
  const counts: Partial<Record<RowState, number>> = {};
  for (const row of rows) counts[row.state] = (counts[row.state] ?? 0) + 1;
  return counts;
}

/** The key of a row: `name/target/python`. */
export function rowKey(row: Pick<PackageRow, 'name' | 'target' | 'python'> & Partial<Pick<PackageRow, 'version' | 'buildDependency'>>): string {
  // A build dependency may be another version of a project the request has: its own row.
  return row.buildDependency === true ? `${row.name}/${row.target}/${row.python}@${row.version ?? ''}` : `${row.name}/${row.target}/${row.python}`;
}
