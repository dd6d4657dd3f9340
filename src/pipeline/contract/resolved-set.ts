/**
 * What a resolution produced, as the planner and the request job read it:
 * one pinned set per target and Python version (from pip's installation
 * report, see target-jobs/pip-report.ts). Schemas are the source; types are
 * inferred from them.
 */
import { z } from 'zod';
import { normalizeName } from '../../wheels/normalize-name.js';

/** One pinned distribution of a resolved set. */
export const ResolvedPackage = z.strictObject({
  /** PEP 503-normalised name. */
  name: z.string(),
  /** The name as the project writes it (for messages). */
  displayName: z.string(),
  version: z.string(),
  /** The file pip chose: a wheel (mirror it) or an sdist (build it). */
  kind: z.enum(['wheel', 'sdist']),
  url: z.string(),
  /** Last path segment of `url`, URL-decoded. */
  filename: z.string(),
  /** Hex sha256 from the index, when it gave one. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  requiresDist: z.array(z.string()).default([]),
  requiresPython: z.string().optional(),
  /** Named in the requirement files (not only a dependency). */
  requested: z.boolean(),
  /** pip chose a wheel farm's repository already has (offered with `--find-links`). */
  fromRepository: z.boolean().default(false),
});
export type ResolvedPackage = z.infer<typeof ResolvedPackage>;

/**
 * The build environment of one sdist on one target and Python: the pinned
 * wheels its compile installs (its build requirements, static, from the
 * PEP 517 hook and from the recipe, and their dependencies, as pip resolved
 * them in a container of the target), or why there is none.
 */
export const BuildEnv = z.strictObject({
  /** The sdist's project (normalised) and version. */
  name: z.string().min(1),
  version: z.string().min(1),
  /** The requirements, canonical and sorted. */
  requires: z.array(z.string()),
  /** What pip pinned for them; empty with `error`. */
  packages: z.array(ResolvedPackage),
  /** Why the sdist can't be built (an invalid requirement, an unresolvable set, a cycle). */
  error: z.string().optional(),
});
export type BuildEnv = z.infer<typeof BuildEnv>;

/** The resolver's answer for one target and Python version. */
export const ResolvedSet = z.strictObject({
  target: z.string(),
  python: z.string(),
  pipVersion: z.string(),
  /** The marker environment pip evaluated (`platform_machine`, …). */
  environment: z.record(z.string(), z.string()),
  packages: z.array(ResolvedPackage),
  /**
   * One build environment per sdist farm builds for this set: the sdists
   * among `packages` and, recursively, among the build environments' own
   * packages (build dependencies that upstream has only as sdists).
   */
  buildEnvs: z.array(BuildEnv).default([]),
});
export type ResolvedSet = z.infer<typeof ResolvedSet>;

/**
 * Names a `Requires-Dist` entry depends on unconditionally or under a marker
 * other than an extra. Over-approximates (markers are not evaluated): used
 * only to order builds, where an extra edge costs a little parallelism and a
 * missing one would make a smoke test fail.
 */
export function dependencyName(requiresDist: string): string | undefined {
  const [spec, marker] = splitMarker(requiresDist);
  if (marker !== undefined && /\bextra\s*(==|!=|in\b|not\s+in\b)/.test(marker)) return undefined;
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(spec);
  return match === null ? undefined : normalizeName(match[1]!);
}

function splitMarker(requirement: string): [string, string | undefined] {
  const at = requirement.indexOf(';');
  return at === -1 ? [requirement, undefined] : [requirement.slice(0, at), requirement.slice(at + 1)];
}
