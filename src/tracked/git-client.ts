/**
 * The few git operations the triggers need, run with the real `git` and argv
 * arrays only (never a shell): a shallow fetch of one commit or branch head
 * into a throw-away bare repository, reading blobs at that commit, listing
 * branch heads. Nothing is checked out; blobs are read from the object store.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NotFoundError, TransientError } from '../errors.js';

const run = promisify(execFile);

/** A fetched commit whose files can be read. Dispose it to delete the temp repository. */
export interface GitCheckout {
  readonly sha: string;
  /** The file's text at the commit; `undefined` when the commit has no such file. */
  readFile(repoPath: string): Promise<string | undefined>;
  dispose(): Promise<void>;
}

/** Git access for the trigger worker; unit tests may fake it. */
export interface GitClient {
  /** Fetches exactly `sha` (depth 1); falls back to fetching `ref` when the server refuses a bare sha. */
  fetchCommit(url: string, sha: string, ref: string): Promise<GitCheckout>;
  /** Fetches the head of `branch` (depth 1). */
  fetchBranch(url: string, branch: string): Promise<GitCheckout>;
  /** Branch heads of the remote: name → sha. */
  listBranches(url: string): Promise<Map<string, string>>;
}

/** Options of `gitClient`. */
export interface GitClientOptions {
  /** Per git command (default 120 s). */
  timeoutMs?: number;
  /** Parent of the temporary repositories (default: the OS temp dir). */
  tmpDir?: string;
  /** The git binary (default `git` on PATH). */
  binary?: string;
}

/** Hides credentials in URLs (`https://user:token@host`) before they reach a message or log. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** stderr phrases that mean "it is not there", which retrying can't fix. */
const NOT_FOUND = [
  /not our ref/i,
  /couldn't find remote ref/i,
  /does not appear to be a git repository/i,
  /repository .* not found/i,
  /no such remote ref/i,
  /upload-pack: not our ref/i,
];

/** The real git client. */
export function gitClient(options: GitClientOptions = {}): GitClient {
  const timeout = options.timeoutMs ?? 120_000;
  const binary = options.binary ?? 'git';
  const env = {
    ...process.env,
    // Never wait for a password prompt in a worker.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    LC_ALL: 'C',
  };

  async function git(args: readonly string[]): Promise<string> {
    try {
      const { stdout } = await run(binary, [...args], { env, timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
      return stdout;
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
      if (e.code === 'ENOENT') throw new TransientError(`git is not installed (${binary})`, { cause: error });
      const stderr = redactUrl(e.stderr ?? e.message);
      // git's first "fatal:" line says what went wrong; the rest is advice.
      const reason = (stderr.split('\n').find((l) => l.startsWith('fatal:')) ?? stderr.trim().split('\n').at(-1) ?? '').trim();
      const what = `git ${args[0] === '-C' ? args[2] : args[0]}`;
      if (NOT_FOUND.some((re) => re.test(stderr))) throw new NotFoundError(`${what}: ${reason}`, { cause: error });
      throw new TransientError(`${what}: ${e.killed === true ? `timed out after ${timeout} ms` : reason}`, { cause: error });
    }
  }

  async function emptyRepo(): Promise<string> {
    const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'farm-git-'));
    await git(['init', '--quiet', '--bare', dir]);
    return dir;
  }

  function checkout(dir: string, sha: string): GitCheckout {
    return {
      sha,
      async readFile(repoPath) {
        try {
          return await git(['-C', dir, 'cat-file', 'blob', `${sha}:${repoPath}`]);
        } catch (error) {
          if (error instanceof TransientError || error instanceof NotFoundError) return undefined;
          throw error;
        }
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }

  async function withRepo(fetch: (dir: string) => Promise<string>): Promise<GitCheckout> {
    const dir = await emptyRepo();
    try {
      return checkout(dir, await fetch(dir));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  return {
    fetchCommit(url, sha, ref) {
      return withRepo(async (dir) => {
        try {
          await git(['-C', dir, 'fetch', '--quiet', '--no-tags', '--depth', '1', url, sha]);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          // Servers without uploadpack.allow*SHA1InWant refuse a bare sha:
          // fetch the ref a little deeper and look for the commit there.
          await git(['-C', dir, 'fetch', '--quiet', '--no-tags', '--depth', '50', url, `+${ref}:refs/farm/fetched`]);
          try {
            await git(['-C', dir, 'cat-file', '-e', `${sha}^{commit}`]);
          } catch {
            throw new NotFoundError(`commit ${sha} is not among the last 50 commits of ${ref}`);
          }
        }
        return sha;
      });
    },
    fetchBranch(url, branch) {
      return withRepo(async (dir) => {
        await git(['-C', dir, 'fetch', '--quiet', '--no-tags', '--depth', '1', url, `+refs/heads/${branch}:refs/farm/head`]);
        return (await git(['-C', dir, 'rev-parse', 'refs/farm/head'])).trim();
      });
    },
    async listBranches(url) {
      const out = await git(['ls-remote', '--heads', url]);
      const heads = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [sha, ref] = line.split('\t');
        if (sha && ref?.startsWith('refs/heads/')) heads.set(ref.slice('refs/heads/'.length), sha);
      }
      return heads;
    },
  };
}
