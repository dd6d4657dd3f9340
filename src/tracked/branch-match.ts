import picomatch from 'picomatch';

/**
 * True when `branch` (a short name like `release/1.2`, not `refs/heads/…`)
 * matches the set's branch glob. `*` stays inside one path segment, `**`
 * crosses them, `{a,b}` lists alternatives, as in `.gitignore`-style globs.
 */
export function branchMatches(pattern: string, branch: string): boolean {
  return picomatch.isMatch(branch, pattern, { dot: true });
}

/** The branch of a `refs/heads/<branch>` ref; undefined for tags and other refs. */
export function branchOfRef(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') && ref.length > 'refs/heads/'.length ? ref.slice('refs/heads/'.length) : undefined;
}

/** True when a glob is a plain branch name (no glob syntax), so it can be fetched as is. */
export function isLiteralBranch(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob === false;
}
