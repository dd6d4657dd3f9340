/**
 * The build job: one sdist, one target, one Python version. Download and
 * verify the sdist, build it with `pip wheel --no-deps` (build isolation) in a
 * fresh container with the recipe applied, repair it with auditwheel where
 * the image has it, smoke-test it in a second fresh container, and collect it
 * into the repository. Nothing is published unless every step passed.
 */
import { appendFile, chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compilerIdentitySuffix, plannedCompiler } from '../../docker/compiler-mode.js';
import { logSize, readLogTail } from '../../docker/log-tail.js';
import { copyContainerOutput, readContainerOutput, UnsafeOutputError } from '../../files/container-output.js';
import { hashFile } from '../../files/hash-file.js';
import { BuildFailedError, RecipeNotApplicableError, TransientError, WheelRejectedError, type BuildContext } from '../../errors.js';
import { interpreterPath } from '../../images/image-names.js';
import { recipePlan } from '../../recipes/recipe-commands.js';
import { getTarget } from '../../targets/parse-targets.js';
import { downloadCachePath, downloadVerified } from '../../upstream/download.js';
import { pipTrustEnv } from '../../upstream/trusted-hosts.js';
import { isWheelFilename, parseWheelFilename } from '../../wheels/wheel-filename.js';
import {
  containerDriverPath,
  type BuildDriverConfig,
  type BuildDriverResult,
  type SmokeDriverConfig,
} from './drivers/container-drivers.js';
import { imageFacts } from '../../images/image-facts.js';
import type { BuildJobData } from '../contract/job-data.js';
import { buildLogPath } from '../contract/log-paths.js';
import type { RepositoryPort } from '../contract/repository-port.js';
import type { ResolveCache } from './resolve-cache.js';
import { runStep, type StepEnvironment } from './step-runner.js';
import { publishName } from '../../repository/publish-name.js';
import { servingWheel } from '../../repository/serving-wheel.js';
import { readWheelEntries } from '../../repository/wheel-entries.js';
import { classifyFailedPipStep, PIP_DEBUG_LOG } from './pip-failure.js';
import { smokeModules } from './wheel-modules.js';
import { repositoryAccess } from './wheel-source-access.js';
import { BUILD_GID, BUILD_UID, createWorkDir } from './work-dir.js';

/** Everything a build needs besides its job data. */
export interface BuildEnvironment extends StepEnvironment {
  repo: RepositoryPort;
  /** Reuses unchanged resolutions (resolve jobs); unset: pip always runs. */
  resolveCache?: ResolveCache;
  buildTimeoutMs: number;
  testTimeoutMs: number;
  downloadTimeoutMs: number;
}

/** How one build attempt ended (before it becomes a `TaskResult`). */
export interface BuildOutcome {
  state: 'built' | 'cached';
  wheel: string;
  logPath: string;
  containers: number;
  containerMs: number;
}

/**
 * A wheel of `name==version` already in the repository that installs on the
 * target; a wheel farm built counts only when built with this recipe.
 */
async function existingWheel(
  repo: RepositoryPort,
  data: Pick<BuildJobData, 'repository' | 'name' | 'version' | 'target' | 'python' | 'recipeHash'>,
): Promise<string | undefined> {
  const entries = await repo.listWheelEntries(data.repository, [data.name]);
  return servingWheel(entries, data, getTarget(data.target), data.python);
}

/**
 * Runs one build attempt. Throws `BuildFailedError` (compiler, pip, smoke
 * test: not retried), `WheelRejectedError` (collection refused),
 * `BuildTimeoutError`, `CancelledError`, or `TransientError` (retried).
 */
export async function runBuild(
  env: BuildEnvironment,
  data: BuildJobData,
  options: { jobId: string; attempt: number; signal?: AbortSignal },
): Promise<BuildOutcome> {
  const logPath = buildLogPath(env.stateDir, data.requestId, data.name, data.target, data.python);
  // Idempotence: a rerun after a crash (or a race with an identical job)
  // finds the wheel already published and does not build it a second time.
  const already = await existingWheel(env.repo, data);
  if (already !== undefined) return { state: 'cached', wheel: already, logPath, containers: 0, containerMs: 0 };

  await mkdir(path.dirname(logPath), { recursive: true });
  await appendFile(
    logPath,
    `# farm: build ${data.displayName}==${data.version} for ${data.target} py${data.python}, ` +
      `attempt ${options.attempt}, worker ${env.workerId}, job ${options.jobId}\n`,
  );
  const pkg = `${data.name}==${data.version}`;
  const context = async (): Promise<BuildContext> => ({ target: data.target, package: pkg, logPath, logTail: await readLogTail(logPath) });
  // A failure is the planned identity's only when this host compiled as planned (see compiler-mode.ts).
  let asPlanned = true;
  const fail = async (message: string, exitCode: number): Promise<never> => {
    await appendFile(logPath, `# farm: ${message}\n`);
    throw new BuildFailedError(await context(), exitCode, { cacheable: asPlanned });
  };

  const work = await createWorkDir(env.stateDir, options.jobId, ['raw', 'final']);
  let containers = 0;
  let containerMs = 0;
  try {
    // The sdist pip resolved, verified against the index's hash.
    const cached = downloadCachePath(path.join(env.stateDir, 'downloads'), data.sdist.filename, data.sdist.sha256);
    const sdistDir = path.join(work.input, 'sdist');
    await mkdir(sdistDir, { recursive: true });
    const downloaded = await downloadVerified({
      url: data.sdist.url,
      dest: cached ?? path.join(sdistDir, data.sdist.filename),
      sha256: data.sdist.sha256,
      timeoutMs: env.downloadTimeoutMs,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    if (cached !== undefined) await copyFile(downloaded.path, path.join(sdistDir, data.sdist.filename));
    await appendFile(logPath, `# farm: sdist ${data.sdist.filename} sha256=${downloaded.sha256}\n`);

    const target = getTarget(data.target);
    const python = interpreterPath(data.python);
    const farmDir = path.join(work.input, 'farm');
    await mkdir(farmDir, { recursive: true });
    for (const driver of ['build.py', 'smoke.py'] as const) {
      await copyFile(containerDriverPath(driver), path.join(farmDir, driver));
      await chmod(path.join(farmDir, driver), 0o644);
    }

    let needsRoot = false;
    const buildOutputFrom = await logSize(logPath);
    const build = await runStep(env, {
      targetId: data.target,
      python: data.python,
      jobId: options.jobId,
      requestId: data.requestId,
      logPath,
      timeoutMs: env.buildTimeoutMs,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      package: pkg,
      compile: { ...(data.recipe.crossCompile === false ? { crossCompile: false } : {}), planned: plannedCompiler(data.image) },
      step: async (image) => {
        const plan = recipePlan(data.recipe, imageFacts(image.reference, image.source, target), { target });
        needsRoot = plan.steps.some((s) => s.asRoot);
        const config: BuildDriverConfig = {
          python,
          sdist: `/in/sdist/${data.sdist.filename}`,
          indexUrl: data.indexUrl,
          extraIndexUrls: data.extraIndexUrls,
          setup: plan.steps.map((s) => ({ argv: [...s.argv], asRoot: s.asRoot, env: { ...s.env } })),
          env: { ...plan.env },
          pathPrepend: [...plan.pathPrepend],
          buildRequires: [...plan.buildRequires],
          uid: BUILD_UID,
          gid: BUILD_GID,
          repair: true,
          pipLog: PIP_DEBUG_LOG.containerPath,
        };
        await writeFile(path.join(farmDir, 'build.json'), JSON.stringify(config), { mode: 0o644 });
        for (const warning of plan.warnings) await appendFile(logPath, `# farm: warning: ${warning}\n`);
        return {
          argv: [python, '/in/farm/build.py', '/in/farm/build.json'],
          env: pipTrustEnv([data.indexUrl, ...data.extraIndexUrls]),
          output: { hostPath: work.output, containerPath: '/out' },
          inputs: [{ hostPath: work.input, containerPath: '/in' }],
          ...(needsRoot ? { user: '0:0' } : {}),
        };
      },
    }).catch(async (error: unknown) => {
      // A recipe that can't apply to this image is a build failure of this package, with its log.
      if (error instanceof RecipeNotApplicableError) await fail(error.message, -1);
      throw error;
    });
    containers += 1;
    containerMs += build.durationMs;
    asPlanned = build.compiler.decision.matchesPlan;
    // Provenance names what really built the wheel: this host's image and compiler.
    const builtWith = `${build.image.reference}@${build.image.id}${compilerIdentitySuffix(build.compiler.decision.toolchain)}`;
    if (build.oomKilled) {
      throw new TransientError(`${pkg} on ${data.target}: the build container was killed by the kernel (out of memory)`);
    }
    if (build.exitCode !== 0) {
      // The network or the index failing pip is not the package's failure: retried, never cached.
      const failure = await classifyFailedPipStep(logPath, buildOutputFrom, work.output);
      if (failure.kind === 'transient') {
        await appendFile(logPath, `# farm: pip failed because of the network or the index (${failure.reason}): transient, to be retried\n`);
        throw new TransientError(`${pkg} on ${data.target}: pip failed because of the network or the index: ${failure.reason} (log: ${logPath})`);
      }
      await fail(`build failed with exit status ${build.exitCode}`, build.exitCode);
    }

    // The container's outputs are read without following symlinks, and the
    // wheel is copied out once: everything after reads the host's own copy.
    const hostDir = path.join(work.root, 'host');
    await mkdir(hostDir);
    let wheel = '';
    let wheelPath = '';
    try {
      const result = JSON.parse(await readContainerOutput(work.output, 'result.json')) as Partial<Record<keyof BuildDriverResult, unknown>>;
      wheel = typeof result.wheel === 'string' ? result.wheel : '';
      if (!isWheelFilename(wheel) || parseWheelFilename(wheel).name !== data.name) {
        await fail(`the build produced '${wheel}', not a wheel of ${data.name}`, 3);
      }
      wheelPath = path.join(hostDir, wheel);
      await copyContainerOutput(work.output, `final/${wheel}`, wheelPath);
    } catch (error) {
      if (error instanceof UnsafeOutputError || error instanceof SyntaxError) await fail(error.message, 3);
      throw error;
    }

    // Smoke test in a second fresh container: the wheel plus its dependencies
    // from the repository only, then import its modules.
    const entries = await readWheelEntries(wheelPath, wheel);
    const modules = smokeModules(data.recipe.importNames, entries);
    const wheelDir = path.join(work.input, 'wheel');
    await mkdir(wheelDir, { recursive: true });
    await copyFile(wheelPath, path.join(wheelDir, wheel));
    const source = env.repo.wheelSource(data.repository);
    if (source.kind === 'directory') await mkdir(source.hostPath, { recursive: true });
    const repository = repositoryAccess(source);
    const smokeConfig: SmokeDriverConfig = {
      python,
      wheel: `/in/wheel/${wheel}`,
      findLinks: [...repository.findLinks, '/in/wheel'],
      indexUrls: [...repository.indexUrls],
      modules,
    };
    await writeFile(path.join(farmDir, 'smoke.json'), JSON.stringify(smokeConfig), { mode: 0o644 });
    await appendFile(logPath, `# farm: smoke test of ${wheel}: import ${modules.join(', ') || '(no modules)'}\n`);
    const smoke = await runStep(env, {
      targetId: data.target,
      python: data.python,
      jobId: options.jobId,
      requestId: data.requestId,
      logPath,
      timeoutMs: env.testTimeoutMs,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      package: pkg,
      step: () => ({
        argv: [python, '/in/farm/smoke.py', '/in/farm/smoke.json'],
        env: pipTrustEnv(repository.indexUrls),
        inputs: [{ hostPath: work.input, containerPath: '/in' }, ...repository.mounts],
        cache: false,
      }),
    });
    containers += 1;
    containerMs += smoke.durationMs;
    if (smoke.exitCode !== 0) await fail(`smoke test failed with exit status ${smoke.exitCode}: not published`, smoke.exitCode);

    try {
      // A rebuild (another recipe) never overwrites the wheel it supersedes: it gets the next build tag.
      // An identical job may have published meanwhile (a rerun after a stall, a race): keep its wheel.
      const meanwhile = await existingWheel(env.repo, data);
      if (meanwhile !== undefined) {
        await appendFile(logPath, `# farm: ${meanwhile} was published meanwhile by an identical build; keeping it\n`);
        return { state: 'cached', wheel: meanwhile, logPath, containers, containerMs };
      }
      const publishAs = publishName(wheel, (await hashFile(wheelPath)).sha256, await env.repo.listWheelEntries(data.repository, [data.name]));
      if (publishAs !== wheel) await appendFile(logPath, `# farm: ${wheel} is already in ${data.repository} as other bytes: publishing as ${publishAs}\n`);
      const collected = await env.repo.collect(data.repository, wheelPath, {
        filename: publishAs,
        build: { recipeHash: data.recipeHash, image: builtWith, requestId: data.requestId, target: data.target, python: data.python },
      });
      await appendFile(logPath, `# farm: collected ${collected.filename} into ${data.repository}${collected.added ? '' : ' (already there)'}\n`);
      return { state: 'built', wheel: collected.filename, logPath, containers, containerMs };
    } catch (error) {
      // An identical job raced us and published first: keep its file, report it.
      if (error instanceof WheelRejectedError) {
        const winner = await existingWheel(env.repo, data);
        if (winner !== undefined) {
          await appendFile(logPath, `# farm: ${winner} was published meanwhile by another run; keeping it\n`);
          return { state: 'cached', wheel: winner, logPath, containers, containerMs };
        }
        await appendFile(logPath, `# farm: collection refused: ${error.message}\n`);
      }
      throw error;
    }
  } finally {
    await work.remove();
  }
}

