import { spawn } from 'node:child_process';
import type { BootstrapLog } from './bootstrap-log.js';
import { LineSplitter } from './line-splitter.js';

/**
 * Runs one of farm's fixed builder scripts on the host: `bash <script> <args…>`
 * with an argv array, no shell string. Output streams line by line into the
 * log; a non-zero exit becomes the log's `BuildFailedError`.
 */
export async function runScript(
  script: string,
  args: readonly string[],
  log: BootstrapLog,
  phase: string,
): Promise<void> {
  await runProgram('bash', [script, ...args], log, phase);
}

/** Runs a program with an argv array, streaming its output into the log like `runScript`. */
export async function runProgram(
  program: string,
  args: readonly string[],
  log: BootstrapLog,
  phase: string,
): Promise<void> {
  const child = spawn(program, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive' },
  });
  const out = new LineSplitter((line) => log.line(phase, line));
  const err = new LineSplitter((line) => log.line(phase, line));
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
  });
  out.end();
  err.end();
  if (code !== 0) throw log.failure(code, `${phase}: ${[program, ...args].join(' ')} exited ${code}`);
}
