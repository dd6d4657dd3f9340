/**
 * The resolve job: pip resolves the request's requirement set inside a
 * container of the target, with `install --dry-run --ignore-installed
 * --report`, against the upstream index. farm writes no resolver of its own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { interpreterPath } from '../images/image-names.js';
import { readLogTail } from '../docker/log-tail.js';
import type { ResolveJobData, ResolveResult } from './job-data.js';
import { resolveLogPath } from './log-paths.js';
import { parsePipReport } from './pip-report.js';
import { runStep, type StepEnvironment } from './step-runner.js';
import { createWorkDir } from './work-dir.js';

/** pip's argv for the resolution (container paths). */
export function resolveArgv(python: string, indexUrl: string, extraIndexUrls: readonly string[], withConstraints: boolean): string[] {
  return [
    interpreterPath(python),
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--ignore-installed',
    '--progress-bar',
    'off',
    '--report',
    '/out/report.json',
    '--index-url',
    indexUrl,
    ...extraIndexUrls.flatMap((url) => ['--extra-index-url', url]),
    ...(withConstraints ? ['-c', '/in/constraints.txt'] : []),
    '-r',
    '/in/requirements.txt',
  ];
}

/**
 * Runs the resolution. pip exiting non-zero (no matching version, conflict)
 * is a deterministic failure returned as `{ ok: false }` with its log;
 * infrastructure problems are thrown (`TransientError`) for the queue to retry.
 */
export async function runResolve(
  env: StepEnvironment,
  data: ResolveJobData,
  options: { jobId: string; timeoutMs: number; signal?: AbortSignal },
): Promise<ResolveResult> {
  const logPath = resolveLogPath(env.stateDir, data.requestId, data.target, data.python);
  const work = await createWorkDir(env.stateDir, options.jobId);
  try {
    await writeFile(path.join(work.input, 'requirements.txt'), data.requirementsText, { mode: 0o644 });
    const withConstraints = data.constraintsText.trim() !== '';
    if (withConstraints) await writeFile(path.join(work.input, 'constraints.txt'), data.constraintsText, { mode: 0o644 });
    const outcome = await runStep(env, {
      targetId: data.target,
      python: data.python,
      jobId: options.jobId,
      requestId: data.requestId,
      logPath,
      timeoutMs: options.timeoutMs,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      package: `resolve py${data.python}`,
      step: () => ({
        argv: resolveArgv(data.python, data.indexUrl, data.extraIndexUrls, withConstraints),
        output: { hostPath: work.output, containerPath: '/out' },
        inputs: [{ hostPath: work.input, containerPath: '/in' }],
      }),
    });
    if (outcome.exitCode !== 0) {
      const tail = await readLogTail(logPath);
      return { ok: false, error: `pip could not resolve the requirements (exit ${outcome.exitCode}):\n${tail}`, logPath };
    }
    const report: unknown = JSON.parse(await readFile(path.join(work.output, 'report.json'), 'utf8'));
    const set = parsePipReport(report, data.target, data.python, `pip report of ${data.target} py${data.python}`);
    return { ok: true, set, logPath, image: { reference: outcome.image.reference, id: outcome.image.id } };
  } finally {
    await work.remove();
  }
}
