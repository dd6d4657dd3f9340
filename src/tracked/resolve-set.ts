/**
 * Turns a tracked set into the requirement files of one build request: the
 * files at a pushed commit, or (for a schedule run) the file on disk or the
 * files at the head of every matching branch.
 */
import path from 'node:path';
import type { TrackedSet } from '../config/schema.js';
import { NotFoundError } from '../errors.js';
import type { RequirementFile } from '../pipeline/request-types.js';
import { branchMatches, isLiteralBranch } from './branch-match.js';
import type { GitCheckout, GitClient } from './git-client.js';
import type { GitTrackedSet } from './match-push.js';

/** Requirement files plus what to record about where they came from. */
export interface ResolvedSet {
  requirements: RequirementFile[];
  metadata: Record<string, string>;
}

async function readFiles(set: GitTrackedSet, checkout: GitCheckout, label: string): Promise<RequirementFile[]> {
  const files: RequirementFile[] = [];
  for (const file of set.source.files) {
    const text = await checkout.readFile(file);
    if (text !== undefined) files.push({ path: `${label}:${file}`, text });
  }
  return files;
}

/** The set's requirement files at a pushed commit. `NotFoundError` when none exists there. */
export async function resolvePushedSet(set: GitTrackedSet, sha: string, ref: string, git: GitClient): Promise<ResolvedSet> {
  const checkout = await git.fetchCommit(set.source.url, sha, ref);
  try {
    const requirements = await readFiles(set, checkout, sha.slice(0, 12));
    if (requirements.length === 0) {
      throw new NotFoundError(`set '${set.name}': none of ${set.source.files.join(', ')} exists at ${sha}`);
    }
    return { requirements, metadata: { sha, ref } };
  } finally {
    await checkout.dispose();
  }
}

/**
 * The set's requirement files as they are now: the file on disk (read by the
 * engine), or the files at the head of each branch matching the glob.
 */
export async function resolveSetNow(set: TrackedSet, git: GitClient, cwd: string): Promise<ResolvedSet> {
  if (set.source.kind === 'file') {
    return { requirements: [path.resolve(cwd, set.source.path)], metadata: {} };
  }
  const gitSet = set as GitTrackedSet;
  const pattern = gitSet.source.branch;
  let branches: string[];
  if (isLiteralBranch(pattern)) {
    branches = [pattern];
  } else {
    const heads = await git.listBranches(gitSet.source.url);
    branches = [...heads.keys()].filter((b) => branchMatches(pattern, b)).sort();
    if (branches.length === 0) throw new NotFoundError(`set '${set.name}': no branch matches '${pattern}'`);
  }
  const requirements: RequirementFile[] = [];
  const shas: string[] = [];
  for (const branch of branches) {
    const checkout = await git.fetchBranch(gitSet.source.url, branch);
    try {
      requirements.push(...(await readFiles(gitSet, checkout, branch)));
      shas.push(`${branch}@${checkout.sha}`);
    } finally {
      await checkout.dispose();
    }
  }
  if (requirements.length === 0) {
    throw new NotFoundError(`set '${set.name}': none of ${gitSet.source.files.join(', ')} exists on ${branches.join(', ')}`);
  }
  return { requirements, metadata: { heads: shas.join(' ') } };
}
