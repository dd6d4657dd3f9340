/**
 * The build job: one sdist, one target, one Python version.
 *
 * 1. The privileged phase, apart: the recipe's system packages, Rust and
 *    `before` commands go into a derived image, built once per builder image
 *    and step list (build-images.ts).
 * 2. The compile, unprivileged (uid 1000, every capability dropped) and
 *    hermetic: the network is off unless the recipe says why it must be on,
 *    and the build environment is exactly the planned build dependencies,
 *    installed from farm's repository of the target (`build.py`).
 * 3. The wheel is made self-contained: auditwheel where the image has it,
 *    farm's vendoring otherwise (vendor-step.ts).
 * 4. A smoke test in a fresh, clean container of the builder image (plus the
 *    recipe's runtime packages), unprivileged and offline.
 * 5. Collection with the wheel's provenance. Nothing is published unless
 *    every step passed.
 */
import { appendFile, chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compilerIdentitySuffix, plannedCompiler } from '../../docker/compiler-mode.js';
import { logSize, readLogTail } from '../../docker/log-tail.js';
import { copyContainerOutput, readContainerOutput, UnsafeOutputError } from '../../files/container-output.js';
import { BuildFailedError, RecipeNotApplicableError, TransientError, WheelRejectedError, type BuildContext } from '../../errors.js';
import { hashFile } from '../../files/hash-file.js';
import { interpreterPath } from '../../images/image-names.js';
import type { BuildProvenance, VendoredLibrary } from '../../repository/inventory-schema.js';
import { publishName } from '../../repository/publish-name.js';
import { servingWheel } from '../../repository/serving-wheel.js';
import { readWheelEntries } from '../../repository/wheel-entries.js';
import { externalLibraries } from '../../targets/base-system.js';
import { getTarget } from '../../targets/parse-targets.js';
import { downloadCachePath, downloadVerified } from '../../upstream/download.js';
import { pipTrustEnv } from '../../upstream/trusted-hosts.js';
import { isWheelFilename, parseWheelFilename } from '../../wheels/wheel-filename.js';
import type { BuildJobData } from '../contract/job-data.js';
import { buildLogPath } from '../contract/log-paths.js';
import type { RepositoryPort } from '../contract/repository-port.js';
import { compileImage, runtimePackagesFor, smokeImage, type PreparedImage } from './build-images.js';
import { classifyFailedPipStep, PIP_DEBUG_LOG } from './pip-failure.js';
import { containerDriverPath, type BuildDriverConfig, type BuildDriverResult, type SmokeDriverConfig } from './drivers/container-drivers.js';
import type { ResolveCache } from './resolve-cache.js';
import { runStep, type StepEnvironment, type StepOutcome } from './step-runner.js';
import { vendorLibraries } from './vendor-step.js';
import { smokeModules } from './wheel-modules.js';
import { repositoryAccess } from './wheel-source-access.js';
import { createWorkDir } from './work-dir.js';

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
  /** Milliseconds per phase (see `TaskResult.timings`). */
  timings: Record<string, number>;
}

/** Where the target's repository is mounted (read-only) in build and smoke-test containers. */
const REPO = '/repo';

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
 * test, a recipe that can't apply: not retried), `WheelRejectedError`
 * (collection refused), `BuildTimeoutError`, `CancelledError`, or
 * `TransientError` (retried).
 */
export async function runBuild(env: BuildEnvironment, data: BuildJobData, options: { jobId: string; attempt: number; signal?: AbortSignal }): Promise<BuildOutcome> {
  const logPath = buildLogPath(env.stateDir, data.requestId, data.name, data.target, data.python);
  // Idempotence: a rerun after a crash (or a race with an identical job)
  // finds the wheel already published and does not build it a second time.
  const already = await existingWheel(env.repo, data);
  if (already !== undefined) return { state: 'cached', wheel: already, logPath, containers: 0, containerMs: 0, timings: {} };

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
  const target = getTarget(data.target);
  const recipe = data.recipe;
  const python = interpreterPath(data.python);
  const step = { targetId: data.target, python: data.python, jobId: options.jobId, requestId: data.requestId, logPath, package: pkg, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
  const prepare = { logPath, timeoutMs: env.buildTimeoutMs, workerId: env.workerId, jobId: options.jobId, requestId: data.requestId, package: pkg, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
  /** A recipe that can't apply to this image is a build failure of this package, with its log. */
  const recipeProblem = async (error: unknown): Promise<never> => {
    if (error instanceof RecipeNotApplicableError) await fail(error.message, -1);
    throw error;
  };

  const work = await createWorkDir(env.stateDir, options.jobId, ['raw', 'final']);
  let containers = 0;
  let containerMs = 0;
  const timings: Record<string, number> = {};
  const add = (phase: string, ms: number) => {
    timings[phase] = Math.round((timings[phase] ?? 0) + ms);
  };
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      add(phase, performance.now() - t0);
    }
  };
  const count = (outcome: StepOutcome, phase: string) => {
    containers += 1;
    containerMs += outcome.durationMs;
    for (const [name, ms] of Object.entries(outcome.timings)) add(`${phase}.${name}`, ms);
  };
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // The sdist pip resolved, verified against the index's hash (usually already in the download cache).
    const cached = downloadCachePath(path.join(env.stateDir, 'downloads'), data.sdist.filename, data.sdist.sha256);
    const sdistDir = path.join(work.input, 'sdist');
    await mkdir(sdistDir, { recursive: true });
    const downloaded = await timed('download', () => downloadVerified({
      url: data.sdist.url,
      dest: cached ?? path.join(sdistDir, data.sdist.filename),
      sha256: data.sdist.sha256,
      timeoutMs: env.downloadTimeoutMs,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    }));
    if (cached !== undefined) await timed('download', () => copyFile(downloaded.path, path.join(sdistDir, data.sdist.filename)));
    await appendFile(logPath, `# farm: sdist ${data.sdist.filename} sha256=${downloaded.sha256}\n`);

    const farmDir = path.join(work.input, 'farm');
    await mkdir(farmDir, { recursive: true });
    for (const driver of ['build.py', 'smoke.py'] as const) {
      await copyFile(containerDriverPath(driver), path.join(farmDir, driver));
      await chmod(path.join(farmDir, driver), 0o644);
    }
    // The compile sees exactly its build dependencies from farm's repository:
    // the mounted packages/ directory, or (a remote worker) copies fetched
    // from the served index and checked against its sha256 before the
    // network goes off.
    const source = env.repo.wheelSource(data.repository);
    const repository = repositoryAccess(source);
    const packagesDir = source.kind === 'directory' ? source.hostPath : path.join(work.root, 'build-deps');
    await mkdir(packagesDir, { recursive: true });
    if (source.kind !== 'directory') await timed('download', () => fetchBuildDeps(env, data, repository.urlPrefix, packagesDir, options.signal));
    if (recipe.network) await appendFile(logPath, `# farm: the compile has the network (recipe: ${recipe.networkReason ?? 'no reason given'})\n`);

    let compile: (PreparedImage & { network: NonNullable<BuildProvenance['network']> }) | undefined;
    const buildOutputFrom = await logSize(logPath);
    const build = await runStep(env, {
      ...step,
      timeoutMs: env.buildTimeoutMs,
      kind: 'compile',
      compile: { ...(recipe.crossCompile === false ? { crossCompile: false } : {}), planned: plannedCompiler(data.image) },
      step: async (base, host) => {
        const image = await timed('prepare', () => compileImage(host, base, target, recipe, prepare));
        compile = { ...image, network: recipe.network ? host.network : 'none' };
        const runtime = runtimePackagesFor(recipe, base, target);
        const config: BuildDriverConfig = {
          python,
          sdist: `/in/sdist/${data.sdist.filename}`,
          buildDeps: data.buildDeps.map((d) => `${REPO}/${d.filename}`),
          env: { ...image.plan.env },
          pathPrepend: [...image.plan.pathPrepend],
          network: recipe.network,
          externalLibraries: [...externalLibraries(target.libc)],
          runtimePackages: runtime === undefined ? [] : [{ manager: runtime.manager, packages: [...runtime.packages] }],
        };
        await writeFile(path.join(farmDir, 'build.json'), JSON.stringify(config), { mode: 0o644 });
        for (const warning of image.plan.warnings) await appendFile(logPath, `# farm: warning: ${warning}\n`);
        return {
          image,
          ...(recipe.network ? {} : { network: 'none' as const }),
          argv: [python, '/in/farm/build.py', '/in/farm/build.json'],
          // pip's debug log, read to classify a failure (only a compile with the network can meet a failing index).
          env: { ...pipTrustEnv([data.indexUrl, ...data.extraIndexUrls]), PIP_LOG: PIP_DEBUG_LOG.containerPath },
          output: { hostPath: work.output, containerPath: '/out' },
          inputs: [
            { hostPath: work.input, containerPath: '/in' },
            { hostPath: packagesDir, containerPath: REPO },
          ],
        };
      },
    }).catch(recipeProblem);
    count(build, 'compile');
    asPlanned = build.compiler.decision.matchesPlan;
    // Provenance names what really built the wheel: this host's image and compiler.
    const builtWith = `${build.image.reference}@${build.image.id}${compilerIdentitySuffix(build.compiler.decision.toolchain)}`;
    if (build.oomKilled) throw new TransientError(`${pkg} on ${data.target}: the build container was killed by the kernel (out of memory)`);
    const result = await readResult(work.output);
    if (build.exitCode !== 0) {
      if (result.networkAttempts.length > 0) {
        await fail(
          `the compile tried to reach the network, which is off while packages compile: ${result.networkAttempts.join(', ')}. ` +
            `If this package must download during its build, set "network: true" with a "networkReason" in its recipe (recipes/${data.name}.yaml)`,
          build.exitCode,
        );
      }
      // The network or the index failing pip is not the package's failure: retried, never cached.
      const failure = await classifyFailedPipStep(logPath, buildOutputFrom, work.output);
      if (failure.kind === 'transient') {
        await appendFile(logPath, `# farm: pip failed because of the network or the index (${failure.reason}): transient, to be retried\n`);
        throw new TransientError(`${pkg} on ${data.target}: pip failed because of the network or the index: ${failure.reason} (log: ${logPath})`);
      }
      await fail(`build failed with exit status ${build.exitCode}`, build.exitCode);
    }
    if (result.problem !== undefined) await fail(result.problem, 3);
    const built = result.wheel ?? '';
    if (!isWheelFilename(built) || parseWheelFilename(built).name !== data.name) await fail(`the build produced '${built}', not a wheel of ${data.name}`, 3);

    // The container's outputs are read without following symlinks, and the
    // wheel is copied out once: everything after reads the host's own copy.
    // A wheel to vendor into is in `raw/`: the repair step completes it and
    // its own (safely copied) output is the wheel.
    let wheel = built;
    let wheelPath: string;
    let vendored: VendoredLibrary[] = [];
    if (result.repair === 'vendor') {
      const repaired = await timed('repair', () => vendorLibraries(env, { ...step, timeoutMs: env.buildTimeoutMs, buildOutput: work.output, wheel: built }));
      count(repaired.outcome, 'repair');
      if ('exitCode' in repaired) return await fail(`vendoring shared libraries into ${built} failed with exit status ${repaired.exitCode}`, repaired.exitCode);
      cleanups.push(repaired.cleanup);
      ({ wheel, wheelPath } = repaired);
      vendored = repaired.libraries;
    } else {
      const hostDir = path.join(work.root, 'host');
      await mkdir(hostDir);
      wheelPath = path.join(hostDir, built);
      await copyContainerOutput(work.output, `final/${built}`, wheelPath).catch(async (error: unknown) => {
        if (error instanceof UnsafeOutputError) await fail(error.message, 3);
        throw error;
      });
    }

    // Smoke test in a fresh, clean container: the wheel plus its dependencies
    // from the repository only, then import its modules.
    const modules = smokeModules(data.recipe.importNames, await readWheelEntries(wheelPath, wheel));
    const wheelDir = path.join(work.input, 'wheel');
    await mkdir(wheelDir, { recursive: true });
    await copyFile(wheelPath, path.join(wheelDir, wheel));
    // Offline against the mounted repository; a remote worker's smoke test reaches the served index.
    const local = source.kind === 'directory';
    const smokeConfig: SmokeDriverConfig = {
      python,
      wheel: `/in/wheel/${wheel}`,
      findLinks: [...(local ? [REPO] : []), '/in/wheel'],
      indexUrls: [...repository.indexUrls],
      modules,
    };
    await writeFile(path.join(farmDir, 'smoke.json'), JSON.stringify(smokeConfig), { mode: 0o644 });
    await appendFile(logPath, `# farm: smoke test of ${wheel}: import ${modules.join(', ') || '(no modules)'}\n`);
    let smokeRuntime: PreparedImage | undefined;
    const smoke = await runStep(env, {
      ...step,
      timeoutMs: env.testTimeoutMs,
      kind: 'smoke',
      step: async (base, host) => {
        smokeRuntime = await timed('prepare', () => smokeImage(host, base, target, recipe, { ...prepare, timeoutMs: env.testTimeoutMs }));
        return {
          image: smokeRuntime,
          ...(local ? { network: 'none' as const } : { env: pipTrustEnv(repository.indexUrls) }),
          argv: [python, '/in/farm/smoke.py', '/in/farm/smoke.json'],
          inputs: [{ hostPath: work.input, containerPath: '/in' }, ...(local ? [{ hostPath: packagesDir, containerPath: REPO }] : [])],
          cache: false,
        };
      },
    }).catch(recipeProblem);
    count(smoke, 'smoke');
    if (smoke.exitCode !== 0) await fail(`smoke test failed with exit status ${smoke.exitCode}: not published`, smoke.exitCode);

    const provenance = await timed('collect', () => buildProvenance(env.repo, data, {
      sdistSha256: downloaded.sha256,
      image: builtWith,
      compile: compile!,
      network: compile!.network,
      repair: result.repair === 'vendor' ? 'vendored' : result.repair === 'auditwheel' ? 'auditwheel' : 'none',
      vendored,
      runtime: smokeRuntime?.packages,
    }));
    const outcome = await timed('collect', () => collect(env, data, wheel, wheelPath, provenance, logPath, { containers, containerMs }));
    return { ...outcome, timings };
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await work.remove();
  }
}

/**
 * `result.json` of the build driver, read without following symlinks. A
 * failed build may have written none; `problem` says why it could not be
 * read (a symlink, not a regular file, not JSON), which fails a build that
 * exited 0.
 */
async function readResult(outputDir: string): Promise<BuildDriverResult & { problem?: string }> {
  const empty = { wheel: null, built: null, repair: null, networkAttempts: [] };
  let parsed: Partial<BuildDriverResult>;
  try {
    parsed = JSON.parse(await readContainerOutput(outputDir, 'result.json')) as Partial<BuildDriverResult>;
  } catch (error) {
    if (error instanceof UnsafeOutputError || error instanceof SyntaxError) return { ...empty, problem: error.message };
    throw error;
  }
  return {
    wheel: typeof parsed.wheel === 'string' ? parsed.wheel : null,
    built: typeof parsed.built === 'string' ? parsed.built : null,
    repair: parsed.repair ?? null,
    networkAttempts: Array.isArray(parsed.networkAttempts) ? parsed.networkAttempts.filter((a): a is string => typeof a === 'string').slice(0, 20) : [],
  };
}

/** Everything the inventory records about how the wheel was made. */
async function buildProvenance(
  repo: RepositoryPort,
  data: BuildJobData,
  facts: {
    sdistSha256: string;
    image: string;
    compile: PreparedImage;
    network: BuildProvenance['network'];
    repair: NonNullable<BuildProvenance['repair']>;
    vendored: VendoredLibrary[];
    runtime: PreparedImage['packages'];
  },
): Promise<BuildProvenance> {
  const entries = await repo.listWheelEntries(data.repository, [...new Set(data.buildDeps.map((d) => d.name))]);
  const buildDependencies = data.buildDeps.map((d) => {
    const entry = entries.find((e) => e.filename === d.filename);
    if (entry === undefined) throw new TransientError(`build dependency ${d.filename} is not in the inventory of ${data.repository} any more`);
    return { name: d.name, version: d.version, filename: d.filename, sha256: entry.sha256 };
  });
  return {
    recipeHash: data.recipeHash,
    image: facts.image,
    target: data.target,
    python: data.python,
    requestId: data.requestId,
    sdist: { filename: data.sdist.filename, sha256: facts.sdistSha256, url: data.sdist.url },
    ...(facts.compile.derived !== undefined ? { buildImage: facts.compile.derived } : {}),
    ...(facts.compile.packages !== undefined ? { systemPackages: facts.compile.packages } : {}),
    buildDependencies,
    ...(facts.network !== undefined ? { network: facts.network } : {}),
    ...(data.recipe.network && data.recipe.networkReason !== null ? { networkReason: data.recipe.networkReason } : {}),
    repair: facts.repair,
    ...(facts.vendored.length > 0 ? { vendoredLibraries: facts.vendored } : {}),
    ...(facts.runtime !== undefined ? { runtimePackages: [facts.runtime] } : {}),
  };
}

/** Collects the wheel (next build tag when the name is taken by other bytes); races with identical jobs keep the first. */
async function collect(
  env: BuildEnvironment,
  data: BuildJobData,
  wheel: string,
  wheelPath: string,
  provenance: BuildProvenance,
  logPath: string,
  counts: { containers: number; containerMs: number },
): Promise<Omit<BuildOutcome, 'timings'>> {
  try {
    // A rebuild (another recipe) never overwrites the wheel it supersedes: it gets the next build tag.
    // An identical job may have published meanwhile (a rerun after a stall, a race): keep its wheel.
    const meanwhile = await existingWheel(env.repo, data);
    if (meanwhile !== undefined) {
      await appendFile(logPath, `# farm: ${meanwhile} was published meanwhile by an identical build; keeping it\n`);
      return { state: 'cached', wheel: meanwhile, logPath, ...counts };
    }
    const publishAs = publishName(wheel, (await hashFile(wheelPath)).sha256, await env.repo.listWheelEntries(data.repository, [data.name]));
    if (publishAs !== wheel) await appendFile(logPath, `# farm: ${wheel} is already in ${data.repository} as other bytes: publishing as ${publishAs}\n`);
    const collected = await env.repo.collect(data.repository, wheelPath, { filename: publishAs, build: provenance });
    await appendFile(logPath, `# farm: collected ${collected.filename} into ${data.repository}${collected.added ? '' : ' (already there)'}\n`);
    return { state: 'built', wheel: collected.filename, logPath, ...counts };
  } catch (error) {
    // An identical job raced us and published first: keep its file, report it.
    if (error instanceof WheelRejectedError) {
      const winner = await existingWheel(env.repo, data);
      if (winner !== undefined) {
        await appendFile(logPath, `# farm: ${winner} was published meanwhile by another run; keeping it\n`);
        return { state: 'cached', wheel: winner, logPath, ...counts };
      }
      await appendFile(logPath, `# farm: collection refused: ${error.message}\n`);
    }
    throw error;
  }
}

/** A remote worker's build dependencies: each fetched from the served index, its sha256 checked against the inventory's. */
async function fetchBuildDeps(env: BuildEnvironment, data: BuildJobData, urlPrefix: string, dir: string, signal?: AbortSignal): Promise<void> {
  if (data.buildDeps.length === 0) return;
  const entries = await env.repo.listWheelEntries(data.repository, [...new Set(data.buildDeps.map((d) => d.name))]);
  for (const dep of data.buildDeps) {
    const entry = entries.find((e) => e.filename === dep.filename);
    if (entry === undefined) throw new TransientError(`build dependency ${dep.filename} is not in the inventory of ${data.repository} any more`);
    await downloadVerified({
      url: `${urlPrefix}${encodeURIComponent(dep.filename)}`,
      dest: path.join(dir, dep.filename),
      sha256: entry.sha256,
      timeoutMs: env.downloadTimeoutMs,
      ...(signal !== undefined ? { signal } : {}),
    });
  }
}
