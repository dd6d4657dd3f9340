/**
 * A local git "forge" for the webhook tests: a bare repository whose
 * post-receive hook posts a GitHub-format push event, signed like GitHub
 * signs it, to `farm api`. The hook is a small node script (argv arrays
 * only); it reads the target URL, secret and log file from the environment
 * `git push` passes down, and appends each delivery (body, headers, answer)
 * to the log so a test can inspect and replay it.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const POST_RECEIVE = String.raw`#!/usr/bin/env node
'use strict';
// farm test hook: one GitHub "push" delivery per updated ref.
const { execFileSync } = require('node:child_process');
const { createHmac, randomUUID } = require('node:crypto');
const { appendFileSync, readFileSync } = require('node:fs');

const url = process.env.FARM_HOOK_URL;
const secret = process.env.FARM_HOOK_SECRET;
const log = process.env.FARM_HOOK_LOG;
const repo = process.cwd();
const ZERO = '0'.repeat(40);
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' });

function commit(id) {
  const files = { added: [], modified: [], removed: [] };
  for (const line of git('diff-tree', '--no-commit-id', '--name-status', '-r', '--root', id).split('\n')) {
    if (line === '') continue;
    const [status, file] = line.split('\t');
    (status === 'A' ? files.added : status === 'D' ? files.removed : files.modified).push(file);
  }
  return { id, message: git('log', '-1', '--format=%s', id).trim(), url: 'file://' + repo, ...files };
}

async function main() {
  const updates = readFileSync(0, 'utf8').split('\n').filter((l) => l !== '');
  for (const update of updates) {
    const [before, after, ref] = update.split(' ');
    const deleted = after === ZERO;
    const range = before === ZERO ? [after] : [before + '..' + after];
    const ids = deleted ? [] : git('rev-list', '--reverse', ...range).split('\n').filter((l) => l !== '');
    const commits = ids.slice(-20).map(commit);
    const body = JSON.stringify({
      ref, before, after, created: before === ZERO, deleted, forced: false,
      repository: { full_name: 'local/app', name: 'app', clone_url: repo, html_url: 'file://' + repo },
      pusher: { name: 'farm-test' },
      commits,
      head_commit: commits.length > 0 ? commits[commits.length - 1] : null,
    });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/farm-test',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', secret).update(body).digest('hex'),
    };
    const started = Date.now();
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    const ms = Date.now() - started;
    appendFileSync(log, JSON.stringify({ ref, status: res.status, answer: JSON.parse(text), ms, body, headers }) + '\n');
    console.log('farm api answered ' + res.status + ' in ' + ms + ' ms: ' + text);
  }
}
main().catch((error) => {
  console.error('farm hook failed: ' + error);
  process.exitCode = 1;
});
`;

/** One delivery the hook sent, as logged. */
export interface HookDelivery {
  ref: string;
  status: number;
  answer: Record<string, unknown>;
  ms: number;
  body: string;
  headers: Record<string, string>;
}

/** A bare repository with the hook, and a working clone to push from. */
export interface LocalForge {
  bare: string;
  work: string;
  /** Writes files, commits them and pushes `refspec` (default `main`). */
  commitAndPush(files: Record<string, string>, message: string, refspec?: string): Promise<string>;
  /** Every delivery so far, oldest first. */
  deliveries(): Promise<HookDelivery[]>;
}

/**
 * Creates the repositories under `dir` with `files` as the first commit on
 * `main`, pushed before the hook exists. Later pushes post to `hookUrl`
 * signed with `secret`.
 */
export async function createLocalForge(
  dir: string,
  files: Record<string, string>,
  hook: { url: string; secret: string },
): Promise<LocalForge> {
  const bare = path.join(dir, 'app.git');
  const work = path.join(dir, 'work');
  const log = path.join(dir, 'hook-deliveries.jsonl');
  await writeFile(log, '');
  const git = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    run('git', args, { cwd, env: { ...process.env, ...env } });
  await run('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', bare]);
  await mkdir(work, { recursive: true });
  await git(work, ['init', '--quiet', '--initial-branch', 'main']);
  await git(work, ['config', 'user.name', 'farm test']);
  await git(work, ['config', 'user.email', 'farm-test@example.invalid']);
  await git(work, ['remote', 'add', 'origin', bare]);

  const hookEnv = { FARM_HOOK_URL: hook.url, FARM_HOOK_SECRET: hook.secret, FARM_HOOK_LOG: log };
  async function commitAndPush(content: Record<string, string>, message: string, refspec = 'main'): Promise<string> {
    for (const [file, text] of Object.entries(content)) {
      await mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await writeFile(path.join(work, file), text);
    }
    await git(work, ['add', '--all']);
    await git(work, ['commit', '--quiet', '--allow-empty', '-m', message]);
    await git(work, ['push', '--quiet', 'origin', `HEAD:${refspec}`], hookEnv);
    return (await git(work, ['rev-parse', 'HEAD'])).stdout.trim();
  }

  await commitAndPush(files, 'initial requirements');
  const hookPath = path.join(bare, 'hooks', 'post-receive');
  await writeFile(hookPath, POST_RECEIVE);
  await chmod(hookPath, 0o755);

  return {
    bare,
    work,
    commitAndPush,
    async deliveries() {
      const text = await readFile(log, 'utf8');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as HookDelivery);
    },
  };
}
