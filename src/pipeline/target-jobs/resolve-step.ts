/**
 * The resolve job: pip resolves the request's requirement set inside a
 * container of the target, with `install --dry-run --ignore-installed
 * --report`, against the upstream index. farm writes no resolver of its own.
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { readContainerOutput, UnsafeOutputError } from '../../files/container-output.js';
import { pipTrustEnv } from '../../upstream/trusted-hosts.js';
import path from 'node:path';
import { logSize, readLogTail } from '../../docker/log-tail.js';
import { TransientError } from '../../errors.js';
import { classifyFailedPipStep, PIP_DEBUG_LOG } from './pip-failure.js';
import type { ResolveJobData, ResolveResult } from '../contract/job-data.js';
import { resolveLogPath } from '../contract/log-paths.js';
import { resolveArgv } from './pip-commands.js';
import { parsePipReport } from './pip-report.js';
import { placeTarget } from '../../docker/docker-hosts.js';
import { getTarget } from '../../targets/parse-targets.js';
import type { RepositoryPort } from '../contract/repository-port.js';
import type { ResolveCache } from './resolve-cache.js';
import { compilerFor, runStep, type StepEnvironment } from './step-runner.js';
import { repositoryAccess } from './wheel-source-access.js';
import { createWorkDir } from './work-dir.js';

/**
 * Runs the resolution. pip exiting non-zero (no matching version, conflict)
 * is a deterministic failure returned as `{ ok: false }` with its log;
 * infrastructure problems are thrown (`TransientError`) for the queue to retry.
 */
export async function runResolve(
  env: StepEnvironment & { repo: RepositoryPort; resolveCache?: ResolveCache },
  data: ResolveJobData,
  options: { jobId: string; timeoutMs: number; signal?: AbortSignal },
): Promise<ResolveResult> {
  const logPath = resolveLogPath(env.stateDir, data.requestId, data.target, data.python);
  if (!/^[^#\s-]/m.test(data.requirementsText)) {
    // Every requirement's marker excluded this target: nothing to resolve, and pip refuses an empty set.
    await mkdir(path.dirname(logPath), { recursive: true });
    await appendFile(logPath, `# farm: no requirement applies to ${data.target} py${data.python}\n`);
    const set = { target: data.target, python: data.python, pipVersion: '-', environment: {}, packages: [] };
    return { ok: true, set, logPath, image: { reference: '-', id: '-' } };
  }
  const cache = env.resolveCache;
  if (cache !== undefined) {
    const host = placeTarget(env.hosts, getTarget(data.target));
    const image = await env.images.get(host.client, host.name, data.target, data.python);
    const hit = await cache.lookup(data, image.id);
    // The toolchain may have changed since: the compiler part of the identity is always today's.
    const toolchain = (await compilerFor(env, host, getTarget(data.target), image)).decision.toolchain;
    if (hit !== undefined) {
      await mkdir(path.dirname(logPath), { recursive: true });
      await appendFile(
        logPath,
        `# farm: ${new Date().toISOString()} resolution of ${hit.resolvedAt} reused: same image, requirements, ` +
          `index pages and repository wheels for all ${hit.set.packages.length} projects\n`,
      );
      return { ok: true, set: hit.set, logPath, image: { reference: hit.image.reference, id: hit.image.id, ...(toolchain === undefined ? {} : { toolchain }) } };
    }
  }
  const work = await createWorkDir(env.stateDir, options.jobId);
  try {
    await writeFile(path.join(work.input, 'requirements.txt'), data.requirementsText, { mode: 0o644 });
    const withConstraints = data.constraintsText.trim() !== '';
    const source = env.repo.wheelSource(data.repository);
    if (source.kind === 'directory') await mkdir(source.hostPath, { recursive: true });
    const repository = repositoryAccess(source);
    if (withConstraints) await writeFile(path.join(work.input, 'constraints.txt'), data.constraintsText, { mode: 0o644 });
    const attempt = (buildIsolation: boolean) =>
      runStep(env, {
        targetId: data.target,
        python: data.python,
        jobId: options.jobId,
        requestId: data.requestId,
        logPath,
        timeoutMs: options.timeoutMs,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        package: `resolve py${data.python}`,
        step: () => ({
          argv: resolveArgv(data.python, data.indexUrl, data.extraIndexUrls, withConstraints, repository, buildIsolation),
          // Upstream's and, on a remote worker, the served index's plain-http LAN hosts.
          env: { ...pipTrustEnv([data.indexUrl, ...data.extraIndexUrls, ...repository.indexUrls]), PIP_LOG: PIP_DEBUG_LOG.containerPath },
          output: { hostPath: work.output, containerPath: '/out' },
          inputs: [{ hostPath: work.input, containerPath: '/in' }, ...repository.mounts],
        }),
      });
    // Fast path first: sdist metadata from the image's setuptools. Anything
    // that needs its own build requirements fails there and gets isolation.
    let outputFrom = await logSize(logPath);
    let outcome = await attempt(false);
    if (outcome.exitCode !== 0) {
      await appendFile(logPath, '# farm: resolving without build isolation failed; resolving again with build isolation\n');
      await rm(path.join(work.output, 'report.json'), { force: true });
      await rm(path.join(work.output, PIP_DEBUG_LOG.outputRelative), { force: true });
      outputFrom = await logSize(logPath);
      outcome = await attempt(true);
    }
    if (outcome.exitCode !== 0) {
      // An unreachable or failing index is retried (the job queue's backoff), not reported as the set's failure.
      const failure = await classifyFailedPipStep(logPath, outputFrom, work.output);
      if (failure.kind === 'transient') {
        await appendFile(logPath, `# farm: pip failed because of the network or the index (${failure.reason}): transient, to be retried\n`);
        throw new TransientError(`resolve py${data.python} on ${data.target}: pip failed because of the network or the index: ${failure.reason} (log: ${logPath})`);
      }
      const tail = await readLogTail(logPath);
      return { ok: false, error: `pip could not resolve the requirements (exit ${outcome.exitCode}):\n${tail}`, logPath };
    }
    let report: unknown;
    try {
      report = JSON.parse(await readContainerOutput(work.output, 'report.json'));
    } catch (error) {
      if (!(error instanceof UnsafeOutputError || error instanceof SyntaxError)) throw error;
      await appendFile(logPath, `# farm: ${error.message}\n`);
      return { ok: false, error: `pip's report could not be read: ${error.message}`, logPath };
    }
    const set = parsePipReport(report, data.target, data.python, `pip report of ${data.target} py${data.python}`, repository.urlPrefix);
    const toolchain = outcome.compiler.decision.toolchain;
    const image = { reference: outcome.image.reference, id: outcome.image.id };
    await cache?.store(data, { set, image });
    return { ok: true, set, logPath, image: { ...image, ...(toolchain === undefined ? {} : { toolchain }) } };
  } finally {
    await work.remove();
  }
}
