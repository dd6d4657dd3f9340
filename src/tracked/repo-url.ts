/**
 * Repository identity across the many spellings of one clone URL. A webhook
 * names its repository by clone URL, SSH URL and web URL; the config names it
 * by whatever URL farm fetches from. Comparing normalised forms matches them
 * without trusting the payload for anything but identity.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `[user@]host:path`, git's scp-like syntax; a drive-less colon before any slash. */
const SCP_LIKE = /^(?:[^@/:]+@)?([^/:]+):(?!\/)(.+)$/;

function trimRepoPath(p: string): string {
  return p
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+/, '');
}

/**
 * Normalises a repository URL to `host/path` (lower-case, no scheme, user,
 * port, `.git` or trailing slash), or `file:/abs/path` for local repositories
 * (case kept: local paths are case-sensitive). `https://GitHub.com/Acme/App.git`,
 * `git@github.com:acme/app` and `ssh://git@github.com:22/acme/app` all become
 * `github.com/acme/app`.
 */
export function normalizeRepoUrl(url: string): string {
  const raw = url.trim();
  if (SCHEME.test(raw)) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return raw.toLowerCase();
    }
    if (parsed.protocol === 'file:') return `file:/${trimRepoPath(decodeURIComponent(parsed.pathname))}`;
    return `${parsed.hostname.toLowerCase()}/${trimRepoPath(decodeURIComponent(parsed.pathname)).toLowerCase()}`;
  }
  if (raw.startsWith('/') || raw.startsWith('.')) return `file:/${trimRepoPath(raw)}`;
  const scp = SCP_LIKE.exec(raw);
  if (scp) return `${scp[1]!.toLowerCase()}/${trimRepoPath(scp[2]!).toLowerCase()}`;
  return trimRepoPath(raw).toLowerCase();
}

/** True when any of `candidates` names the same repository as `configured`. */
export function sameRepository(configured: string, candidates: readonly string[]): boolean {
  const want = normalizeRepoUrl(configured);
  return candidates.some((c) => c !== '' && normalizeRepoUrl(c) === want);
}
