import type { ApiConfig, Forge, TrackedSet } from '../config/schema.js';
import { branchMatches, branchOfRef } from './branch-match.js';
import type { PushEvent } from './push-event.js';
import { sameRepository } from './repo-url.js';

/** A tracked set whose source is a git repository. */
export type GitTrackedSet = TrackedSet & { source: Extract<TrackedSet['source'], { kind: 'git' }> };

/** What to do with a verified push. */
export type PushDecision =
  | { action: 'build'; sets: GitTrackedSet[]; branch: string }
  | { action: 'ignore'; reason: string };

/** True when the set's source is a git repository. */
export function isGitSet(set: TrackedSet): set is GitTrackedSet {
  return set.source.kind === 'git';
}

/** Sets that may be triggered from `forge`'s hook endpoint. */
export function setsForForge(sets: readonly TrackedSet[], forge: Forge): GitTrackedSet[] {
  return sets.filter(isGitSet).filter((s) => s.source.forge === undefined || s.source.forge === forge);
}

/** The environment variable holding the webhook secret that signs pushes for `set` on `forge`. */
export function secretEnvFor(set: GitTrackedSet, forge: Forge, api: ApiConfig): string {
  return set.source.secretEnv ?? api.secretEnv[forge];
}

/**
 * Every secret variable that may sign a delivery to `forge`'s endpoint: the
 * forge default and each set's own. Verification tries each, so no secret is
 * chosen from the (not yet verified) body.
 */
export function candidateSecretEnvs(sets: readonly TrackedSet[], forge: Forge, api: ApiConfig): string[] {
  const names = new Set<string>([api.secretEnv[forge]]);
  for (const set of setsForForge(sets, forge)) names.add(secretEnvFor(set, forge, api));
  return [...names];
}

/**
 * Decides whether a push builds anything. Pure. A push builds the sets that
 * track its repository (by URL), whose branch glob matches the pushed branch,
 * and one of whose requirement files the push changed (or might have: see
 * `PushEvent.changedFiles`). Anything else is ignored with the reason.
 */
export function matchPush(sets: readonly TrackedSet[], event: PushEvent): PushDecision {
  const branch = branchOfRef(event.ref);
  if (branch === undefined) return { action: 'ignore', reason: `${event.ref} is not a branch` };
  if (event.deleted) return { action: 'ignore', reason: `branch '${branch}' was deleted` };
  const forRepo = setsForForge(sets, event.forge).filter((s) => sameRepository(s.source.url, event.repositoryUrls));
  if (forRepo.length === 0) {
    return { action: 'ignore', reason: `repository '${event.repositoryName}' is not tracked` };
  }
  const forBranch = forRepo.filter((s) => branchMatches(s.source.branch, branch));
  if (forBranch.length === 0) {
    return { action: 'ignore', reason: `branch '${branch}' of '${event.repositoryName}' is not tracked` };
  }
  const changed = event.changedFiles;
  const touched = changed === undefined ? forBranch : forBranch.filter((s) => s.source.files.some((f) => changed.has(f)));
  if (touched.length === 0) {
    return { action: 'ignore', reason: `no tracked requirement file changed on '${branch}'` };
  }
  return { action: 'build', sets: touched, branch };
}
