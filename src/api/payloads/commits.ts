import { z } from 'zod';

/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex). */
export const ObjectId = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a 40- or 64-hex commit id');

/**
 * One commit of a push payload; the three file lists are the same on GitHub,
 * GitLab and Gitea/Forgejo. They are optional because older forges and
 * trimmed payloads omit them.
 */
export const PayloadCommit = z.object({
  id: z.string(),
  added: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
});
export type PayloadCommit = z.infer<typeof PayloadCommit>;

/**
 * Files added or modified by the pushed commits, or `undefined` when the
 * payload can't tell: no commits listed (a new branch at an existing commit, a
 * force push), a list the forge truncated, or commits without file lists.
 * Removed files are left out: a deleted requirements file needs no build.
 */
export function changedFiles(commits: readonly PayloadCommit[], truncated: boolean): Set<string> | undefined {
  if (truncated || commits.length === 0) return undefined;
  const files = new Set<string>();
  for (const commit of commits) {
    if (commit.added === undefined || commit.modified === undefined) return undefined;
    for (const f of commit.added) files.add(f);
    for (const f of commit.modified) files.add(f);
  }
  return files;
}

/** The URLs worth comparing, without empties. */
export function urls(...candidates: (string | null | undefined)[]): string[] {
  return candidates.filter((c): c is string => typeof c === 'string' && c !== '');
}
