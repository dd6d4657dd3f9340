/**
 * Runs the real `farm` command as a child process, from source (tsx), the
 * way a user's shell would: argv array, exit code, stdout, stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = path.join(REPO_ROOT, 'src/cli/main.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** argv for `node` that runs farm from source. */
export function farmNodeArgs(args: readonly string[]): string[] {
  return ['--import', TSX_LOADER, MAIN, ...args];
}

export interface FarmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a test run: the caller's, minus anything that points farm elsewhere. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['FARM_CONFIG', 'FARM_ROOT', 'FARM_INDEX_URL', 'FARM_RECIPES', 'REDIS_URL', 'FARM_REDIS_PREFIX', 'NO_COLOR', 'FORCE_COLOR']) {
    delete env[key];
  }
  return { ...env, ...extra };
}

/** Starts `farm <args>`; the caller owns the child. */
export function startFarm(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, farmNodeArgs(args), {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `farm <args>` to completion. */
export function runFarm(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<FarmResult> {
  const child = startFarm(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Writes an executable `farm` shim into `dir`, for shells (tmux) that type `farm ...`. */
export async function writeFarmShim(dir: string): Promise<string> {
  const shim = path.join(dir, 'farm');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(shim, `#!/bin/sh\nexec ${[process.execPath, ...farmNodeArgs([])].map(quote).join(' ')} "$@"\n`);
  await chmod(shim, 0o755);
  return shim;
}
