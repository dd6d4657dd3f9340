/**
 * Turns a tracked set into the requirement files of one build request: the
 * files at a pushed commit, or (for a schedule run) the file on disk or the
 * files at the head of every matching branch. The engine never reads disks
 * or repositories for webhook and schedule requests, so every file is sent
 * with its text, `-r`/`-c` includes too: the requirements parser walks them
 * here through a source that reads only the checkout (or, for file sources,
 * the configured file's directory tree).
 */
import path from 'node:path';
import type { TrackedSet } from '../config/schema.js';
import { MissingFileError, NotFoundError } from '../errors.js';
import type { RequirementFile } from '../pipeline/contract/request-types.js';
import { fsRequirementsSource } from '../requirements/fs-requirements-source.js';
import { parseRequirementsFile, type RequirementsSource } from '../requirements/index.js';
import { branchMatches, isLiteralBranch } from './branch-match.js';
import type { GitCheckout, GitClient } from './git-client.js';
import type { GitTrackedSet } from './match-push.js';

/** A requirement file sent with its text. */
export type ReadFile = Extract<RequirementFile, { text: string }>;

/** Requirement files plus what to record about where they came from. */
export interface ResolvedSet {
  /** Every file with its text: the engine reads nothing itself for these origins. */
  requirements: ReadFile[];
  metadata: Record<string, string>;
}

/**
 * Reads `roots` and every file they include, through `read`. Returns them
 * in reading order; files that don't exist raise `MissingFileError` (a root)
 * or the parser's `InputFileError` at the `-r` line (an include).
 */
async function collectFiles(roots: readonly string[], read: (file: string) => Promise<string>): Promise<ReadFile[]> {
  const files = new Map<string, string>();
  const source: RequirementsSource = {
    async read(file) {
      const known = files.get(file);
      if (known !== undefined) return known;
      const text = await read(file);
      files.set(file, text);
      return text;
    },
  };
  for (const root of roots) await parseRequirementsFile(root, source);
  return [...files].map(([file, text]) => ({ path: file, text }));
}

/**
 * Reads repository paths from a checkout. `prefix` (a branch name) keeps
 * files of several branches apart; includes resolve under the same prefix.
 */
function checkoutReader(checkout: GitCheckout, prefix: string): (file: string) => Promise<string> {
  return async (file) => {
    const inRepo = prefix === '' ? file : path.posix.relative(prefix, file);
    if (inRepo.startsWith('..') || path.posix.isAbsolute(inRepo)) throw new MissingFileError(file, { hint: 'includes must stay inside the repository' });
    const text = await checkout.readFile(inRepo);
    if (text === undefined) throw new MissingFileError(`${inRepo} at ${checkout.sha}`);
    return text;
  };
}

/** The tracked files that exist at the checkout (a push may have deleted some). */
async function presentRoots(set: GitTrackedSet, checkout: GitCheckout): Promise<string[]> {
  const present: string[] = [];
  for (const file of set.source.files) if ((await checkout.readFile(file)) !== undefined) present.push(file);
  return present;
}

/** The set's requirement files at a pushed commit. `NotFoundError` when none exists there. */
export async function resolvePushedSet(set: GitTrackedSet, sha: string, ref: string, git: GitClient): Promise<ResolvedSet> {
  const checkout = await git.fetchCommit(set.source.url, sha, ref);
  try {
    const roots = await presentRoots(set, checkout);
    if (roots.length === 0) throw new NotFoundError(`set '${set.name}': none of ${set.source.files.join(', ')} exists at ${sha}`);
    return { requirements: await collectFiles(roots, checkoutReader(checkout, '')), metadata: { sha, ref } };
  } finally {
    await checkout.dispose();
  }
}

/**
 * The set's requirement files as they are now: the file on disk (with its
 * includes), or the files at the head of each branch matching the glob.
 */
export async function resolveSetNow(set: TrackedSet, git: GitClient, cwd: string): Promise<ResolvedSet> {
  if (set.source.kind === 'file') {
    const file = path.resolve(cwd, set.source.path);
    return { requirements: await collectFiles([file], async (f) => fsRequirementsSource.read(f)), metadata: {} };
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
  const requirements: ReadFile[] = [];
  const heads: string[] = [];
  for (const branch of branches) {
    const checkout = await git.fetchBranch(gitSet.source.url, branch);
    try {
      const roots = (await presentRoots(gitSet, checkout)).map((f) => (branches.length === 1 ? f : path.posix.join(branch, f)));
      const prefix = branches.length === 1 ? '' : branch;
      requirements.push(...(await collectFiles(roots, checkoutReader(checkout, prefix))));
      heads.push(`${branch}@${checkout.sha}`);
    } finally {
      await checkout.dispose();
    }
  }
  if (requirements.length === 0) {
    throw new NotFoundError(`set '${set.name}': none of ${gitSet.source.files.join(', ')} exists on ${branches.join(', ')}`);
  }
  return { requirements, metadata: { heads: heads.join(' ') } };
}
