/**
 * Resolving tracked sets from real git repositories (a local bare repo):
 * shallow fetch of a pushed commit, branch heads for schedule runs (glob over
 * `git ls-remote`), `-r` includes sent along, missing files and commits.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFileError, NotFoundError } from '../../../src/errors.js';
import { gitClient, redactUrl } from '../../../src/tracked/git-client.js';
import type { GitTrackedSet } from '../../../src/tracked/match-push.js';
import { resolvePushedSet, resolveSetNow } from '../../../src/tracked/resolve-set.js';
import { testConfig } from '../api/helpers.js';

const run = promisify(execFile);
let dir: string;
let bare: string;
let work: string;
let tmpParent: string;
const shas: Record<string, string> = {};

async function git(args: string[]): Promise<string> {
  return (await run('git', args, { cwd: work })).stdout.trim();
}

async function commit(files: Record<string, string>, message: string, branch: string): Promise<string> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await writeFile(path.join(work, file), text);
  }
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', message]);
  await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
  return git(['rev-parse', 'HEAD']);
}

function setWith(source: Partial<GitTrackedSet['source']>): GitTrackedSet {
  const config = testConfig(`
sets:
  - name: app
    source: { kind: git, url: "${bare}", branch: "${source.branch ?? 'main'}", files: ${JSON.stringify(source.files ?? ['requirements.txt'])} }
    targets: [glibc-x86_64]
`);
  return config.sets[0] as GitTrackedSet;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-resolve-git-'));
  bare = path.join(dir, 'app.git');
  work = path.join(dir, 'work');
  tmpParent = path.join(dir, 'tmp');
  await mkdir(tmpParent);
  await run('git', ['init', '--quiet', '--bare', bare]);
  await mkdir(work);
  await git(['init', '--quiet', '--initial-branch', 'main']);
  await git(['config', 'user.name', 'farm test']);
  await git(['config', 'user.email', 'farm-test@example.invalid']);
  await git(['remote', 'add', 'origin', bare]);
  shas['v1'] = await commit({ 'requirements.txt': '-r requirements/base.txt\nfarmfix-a\n', 'requirements/base.txt': 'farmfix-purewheel\n' }, 'v1', 'main');
  shas['v2'] = await commit({ 'requirements.txt': '-r requirements/base.txt\nfarmfix-a\nfarmfix-cext\n' }, 'v2', 'main');
  await git(['checkout', '--quiet', '-b', 'release/1']);
  shas['r1'] = await commit({ 'requirements.txt': 'farmfix-b==1.0\n' }, 'release', 'release/1');
  await git(['checkout', '--quiet', 'main']);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('resolvePushedSet', () => {
  const client = () => gitClient({ tmpDir: tmpParent });

  it('reads the tracked file and its includes at exactly the pushed commit, and cleans up', async () => {
    const resolved = await resolvePushedSet(setWith({}), shas['v1']!, 'refs/heads/main', client());
    expect(resolved).toEqual({
      requirements: [
        { path: 'requirements.txt', text: '-r requirements/base.txt\nfarmfix-a\n' },
        { path: 'requirements/base.txt', text: 'farmfix-purewheel\n' },
      ],
      metadata: { sha: shas['v1'], ref: 'refs/heads/main' },
    });
    expect(await readdir(tmpParent)).toEqual([]);
  });

  it('fails with NotFoundError for a commit the repository does not have', async () => {
    await expect(resolvePushedSet(setWith({}), 'f'.repeat(40), 'refs/heads/main', client())).rejects.toBeInstanceOf(NotFoundError);
    expect(await readdir(tmpParent)).toEqual([]);
  });

  it('fails with NotFoundError when none of the tracked files exists at the commit', async () => {
    await expect(resolvePushedSet(setWith({ files: ['nope.txt'] }), shas['v2']!, 'refs/heads/main', client())).rejects.toThrow(
      /none of nope.txt exists/,
    );
  });

  it('reports an include that is missing at its -r line', async () => {
    const sha = await commit({ 'requirements.txt': '-r missing.txt\n' }, 'broken include', 'broken');
    await expect(resolvePushedSet(setWith({}), sha, 'refs/heads/broken', client())).rejects.toBeInstanceOf(InputFileError);
  });
});

describe('resolveSetNow (schedule runs)', () => {
  it('reads a literal branch at its head', async () => {
    const resolved = await resolveSetNow(setWith({}), gitClient(), dir);
    expect(resolved.requirements.map((r) => r.path)).toEqual(['requirements.txt', 'requirements/base.txt']);
    expect(resolved.requirements[0]!.text).toContain('farmfix-cext');
    expect(resolved.metadata['heads']).toBe(`main@${shas['v2']}`);
  });

  it('reads every branch matching a glob, each under its branch name', async () => {
    const resolved = await resolveSetNow(setWith({ branch: '{main,release/*}' }), gitClient(), dir);
    expect(resolved.requirements.map((r) => r.path)).toEqual([
      'main/requirements.txt',
      'main/requirements/base.txt',
      'release/1/requirements.txt',
    ]);
    expect(resolved.metadata['heads']).toBe(`main@${shas['v2']} release/1@${shas['r1']}`);
  });

  it('reads a file source and its includes from disk', async () => {
    await writeFile(path.join(dir, 'tracked.txt'), '-r work/requirements/base.txt\nfarmfix-c\n');
    const config = testConfig('sets: [{ name: t, source: { kind: file, path: tracked.txt }, targets: [glibc-x86_64] }]');
    const resolved = await resolveSetNow(config.sets[0]!, gitClient(), dir);
    expect(resolved.requirements).toEqual([
      { path: path.join(dir, 'tracked.txt'), text: '-r work/requirements/base.txt\nfarmfix-c\n' },
      { path: path.join(dir, 'work/requirements/base.txt'), text: 'farmfix-purewheel\n' },
    ]);
  });
});

describe('git errors', () => {
  it('hides credentials in URLs', () => {
    expect(redactUrl('fatal: unable to access https://bot:ghp_secret@github.com/a/b.git/')).toBe(
      'fatal: unable to access https://***@github.com/a/b.git/',
    );
  });

  it('reports an unreachable repository without hanging on a prompt', async () => {
    const set = setWith({});
    set.source.url = path.join(dir, 'missing.git');
    await expect(resolveSetNow(set, gitClient(), dir)).rejects.toBeInstanceOf(NotFoundError);
  });
});
