import type { Forge } from '../config/schema.js';

/**
 * A push, as every forge's payload is reduced to: what farm needs to decide
 * whether to build and what to fetch. Built by the per-forge payload parsers
 * in `src/api/payloads/`.
 */
export interface PushEvent {
  forge: Forge;
  /** Every URL the payload gives for the repository (clone, SSH, web). Identity only: never fetched. */
  repositoryUrls: string[];
  /** `owner/name` (GitHub, Gitea) or `group/project` (GitLab), for messages. */
  repositoryName: string;
  /** `refs/heads/main`, `refs/tags/v1`. */
  ref: string;
  /** The commit the ref points to after the push (all zeros when deleted). */
  sha: string;
  /** The branch was deleted by this push. */
  deleted: boolean;
  /**
   * Paths added or modified by the pushed commits; `undefined` when the
   * payload can't say (commit list truncated, empty, or without file lists),
   * which means "assume the tracked files changed".
   */
  changedFiles: ReadonlySet<string> | undefined;
}

/** The all-zero object id forges send as `after` when a branch is deleted. */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}
