/**
 * The resolve job: pip resolves the request's requirement set inside a
 * container of the target, with `install --dry-run --ignore-installed
 * --report`, against the upstream index; farm writes no resolver of its own.
 *
 * Then, like fromager, it finds what each sdist needs to build on this target
 * and Python (`resolve.py`: `build-system.requires`, the PEP 517 hook
 * `get_requires_for_build_wheel` run with the real backend, plus the recipe's
 * `buildRequires`) and resolves those requirements the same way, in rounds:
 * a build requirement that upstream has only as an sdist is itself built, so
 * its own build requirements are found in the next round. The result is the
 * pinned set plus one build environment per sdist. Cycles among build
 * requirements are broken with upstream wheels where pip finds them, and
 * otherwise reported with the cycle named.
 */
import { appendFile, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readLogTail } from '../../docker/log-tail.js';
import { BuildFailedError, TransientError } from '../../errors.js';
import { placeTarget } from '../../docker/docker-hosts.js';
import { copyContainerOutput, readContainerOutput, readContainerOutputTail, UnsafeOutputError } from '../../files/container-output.js';
import { hashFile } from '../../files/hash-file.js';
import { interpreterPath } from '../../images/image-names.js';
import { effectiveRecipe } from '../../recipes/effective-recipe.js';
import { getTarget } from '../../targets/parse-targets.js';
import { downloadCachePath } from '../../upstream/download.js';
import { pipTrustEnv } from '../../upstream/trusted-hosts.js';
import { validate } from '../../validation/validate.js';
import { normalizeName } from '../../wheels/normalize-name.js';
import type { ResolveJobData, ResolveResult } from '../contract/job-data.js';
import { resolveLogPath } from '../contract/log-paths.js';
import type { RepositoryPort } from '../contract/repository-port.js';
import type { BuildEnv, ResolvedPackage, ResolvedSet } from '../contract/resolved-set.js';
import {
  buildCycles,
  buildRequirementsOf,
  describeCycle,
  requirementSets,
  ResolveDriverOutput,
  sdistKey,
  setKey,
  type DiscoveredSdist,
} from './build-requirements.js';
import { containerDriverPath, type DriverResolution, type ResolveDriverConfig } from './drivers/container-drivers.js';
import { indexOptions, requirementArgs, requirementFileArgs } from './pip-commands.js';
import { parsePipReport } from './pip-report.js';
import type { ResolveCache } from './resolve-cache.js';
import { repositoryAccess, type RepositoryAccess } from './wheel-source-access.js';
import { classifyPipFailure, PIP_DEBUG_LOG } from './pip-failure.js';
import { compilerFor, runStep, type StepEnvironment, type StepOutcome } from './step-runner.js';
import { createWorkDir, type WorkDir } from './work-dir.js';


/** Rounds of build-requirement discovery at most: deeper chains are a loop somewhere. */
const MAX_ROUNDS = 8;

type Env = StepEnvironment & { repo: RepositoryPort; resolveCache?: ResolveCache };

/**
 * Runs the resolution. pip exiting non-zero (no matching version, conflict)
 * is a deterministic failure returned as `{ ok: false }` with its log; an
 * sdist whose build requirements can't be found or resolved gets a build
 * environment with an `error` (the planner fails just that package);
 * infrastructure problems are thrown (`TransientError`) for the queue to retry.
 */
export async function runResolve(env: Env, data: ResolveJobData, options: { jobId: string; timeoutMs: number; signal?: AbortSignal }): Promise<ResolveResult> {
  const logPath = resolveLogPath(env.stateDir, data.requestId, data.target, data.python);
  if (!/^[^#\s-]/m.test(data.requirementsText)) {
    // Every requirement's marker excluded this target: nothing to resolve, and pip refuses an empty set.
    await mkdir(path.dirname(logPath), { recursive: true });
    await appendFile(logPath, `# farm: no requirement applies to ${data.target} py${data.python}\n`);
    const set: ResolvedSet = { target: data.target, python: data.python, pipVersion: '-', environment: {}, packages: [], buildEnvs: [] };
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
        `# farm: ${new Date().toISOString()} resolution of ${hit.resolvedAt} reused: same image, requirements, recipes, ` +
          `index pages and repository wheels for all ${hit.set.packages.length} projects and their build requirements\n`,
      );
      return { ok: true, set: hit.set, logPath, image: { reference: hit.image.reference, id: hit.image.id, ...(toolchain === undefined ? {} : { toolchain }) } };
    }
  }
  const work = await createWorkDir(env.stateDir, options.jobId, ['sdists']);
  try {
    const resolution = new Resolution(env, data, work, logPath, options);
    return await resolution.run();
  } finally {
    await work.remove();
  }
}

/** One resolve job's rounds. */
class Resolution {
  readonly #discovered = new Map<string, DiscoveredSdist>();
  readonly #envs = new Map<string, BuildEnv>();
  /** Requirement list (`setKey`) → what pip pinned, or why it could not. */
  readonly #resolvedSets = new Map<string, { packages: ResolvedPackage[] } | { error: string }>();
  #rounds = 0;
  #setIds = 0;
  #image: StepOutcome['image'] | undefined;
  #compiler: StepOutcome['compiler'] | undefined;
  /** How pip reaches farm's repository of the target (mounted directory or served index). */
  readonly repository: RepositoryAccess;

  constructor(
    readonly env: Env,
    readonly data: ResolveJobData,
    readonly work: WorkDir,
    readonly logPath: string,
    readonly options: { jobId: string; timeoutMs: number; signal?: AbortSignal },
  ) {
    this.repository = repositoryAccess(env.repo.wheelSource(data.repository));
  }

  async run(): Promise<ResolveResult> {
    const withConstraints = this.data.constraintsText.trim() !== '';
    await writeFile(path.join(this.work.input, 'requirements.txt'), this.data.requirementsText, { mode: 0o644 });
    if (withConstraints) await writeFile(path.join(this.work.input, 'constraints.txt'), this.data.constraintsText, { mode: 0o644 });
    const first = await this.round([{ id: 'runtime', args: requirementFileArgs(withConstraints) }]);
    const runtime = first.resolutions[0];
    if (runtime?.report === null || runtime === undefined) {
      // An unreachable or failing index is retried (the job queue's backoff), not reported as the set's failure.
      if (runtime !== undefined) await this.throwIfTransient(runtime.pipLog, 'resolving the requirements');
      const tail = await readLogTail(this.logPath);
      return { ok: false, error: `pip could not resolve the requirements (exit ${runtime?.exitCode ?? '?'}):\n${tail}`, logPath: this.logPath };
    }
    const set = await this.report(runtime.report);

    // Rounds: the build requirements of every sdist found so far, until no new sdist turns up.
    for (;;) {
      const pending = new Map<string, readonly string[]>();
      for (const [key, sdist] of this.#discovered) {
        if (this.#envs.has(key)) continue;
        if (sdist.error !== undefined) {
          this.#envs.set(key, envOf(sdist, [], [], `cannot find its build requirements: ${sdist.error}`));
          continue;
        }
        pending.set(key, buildRequirementsOf(sdist, this.recipeRequires(sdist)));
      }
      const sets = requirementSets(pending, new Set(this.#resolvedSets.keys()), this.#setIds);
      this.#setIds += sets.length;
      if (sets.length > 0) {
        if (this.#rounds >= MAX_ROUNDS) {
          for (const [key, requires] of pending) this.#envs.set(key, envOf(this.#discovered.get(key)!, requires, [], `build requirements nest deeper than ${MAX_ROUNDS} levels`));
          break;
        }
        const output = await this.round(sets.map((s) => ({ id: s.id, args: requirementArgs(s.requires) })));
        for (const s of sets) {
          const result = output.resolutions.find((r) => r.id === s.id);
          if (result !== undefined && result.report === null) await this.throwIfTransient(result.pipLog, `resolving the build requirements ${s.requires.join(', ')}`);
          await this.recordSet(s.requires, result);
        }
      }
      for (const [key, requires] of pending) {
        const resolved = this.#resolvedSets.get(setKey(requires));
        const sdist = this.#discovered.get(key)!;
        if (resolved === undefined) continue;
        this.#envs.set(key, 'error' in resolved ? envOf(sdist, requires, [], resolved.error) : envOf(sdist, requires, resolved.packages));
      }
      if (sets.length === 0) break;
    }
    await this.breakCycles();
    set.buildEnvs = [...this.#envs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1));
    const image = { reference: this.#image!.reference, id: this.#image!.id };
    await this.env.resolveCache?.store(this.data, { set, image });
    const toolchain = this.#compiler?.decision.toolchain;
    return { ok: true, set, logPath: this.logPath, image: { ...image, ...(toolchain === undefined ? {} : { toolchain }) } };
  }

  /** The recipe's extra build requirements for a discovered sdist on this target. */
  recipeRequires(sdist: DiscoveredSdist): readonly string[] {
    const recipe = this.data.recipes[sdist.name];
    if (recipe === undefined) return [];
    try {
      return effectiveRecipe(recipe, this.data.target, sdist.version).buildRequires;
    } catch {
      return []; // not a PEP 440 version: no recipe applies (as for the planner)
    }
  }

  /** Runs `resolve.py` once: the given resolutions, then discovery of the sdists they brought. */
  async round(resolutions: DriverResolution[]): Promise<ResolveDriverOutput> {
    this.#rounds += 1;
    const out = this.work.output;
    await rm(path.join(out, 'resolve.json'), { force: true });
    await rm(path.join(out, PIP_DEBUG_LOG.outputRelative), { force: true });
    const farmDir = path.join(this.work.input, 'farm');
    await mkdir(farmDir, { recursive: true });
    await copyFile(containerDriverPath('resolve.py'), path.join(farmDir, 'resolve.py'));
    const config: ResolveDriverConfig = {
      python: interpreterPath(this.data.python),
      indexOptions: indexOptions(this.data.indexUrl, this.data.extraIndexUrls, this.repository),
      resolutions,
      known: [...this.#discovered.keys()],
      discover: true,
    };
    await writeFile(path.join(farmDir, 'resolve.json'), JSON.stringify(config), { mode: 0o644 });
    const source = this.env.repo.wheelSource(this.data.repository);
    if (source.kind === 'directory') await mkdir(source.hostPath, { recursive: true });
    if (this.#rounds > 1) await appendFile(this.logPath, `# farm: build requirements, round ${this.#rounds}: ${resolutions.length} requirement set(s)\n`);
    const outcome = await runStep(this.env, {
      targetId: this.data.target,
      python: this.data.python,
      jobId: this.options.jobId,
      requestId: this.data.requestId,
      logPath: this.logPath,
      timeoutMs: this.options.timeoutMs,
      ...(this.options.signal !== undefined ? { signal: this.options.signal } : {}),
      package: `resolve py${this.data.python}`,
      kind: 'resolve',
      step: () => ({
        argv: [interpreterPath(this.data.python), '/in/farm/resolve.py', '/in/farm/resolve.json'],
        env: { ...pipTrustEnv([this.data.indexUrl, ...this.data.extraIndexUrls]), PIP_LOG: PIP_DEBUG_LOG.containerPath },
        output: { hostPath: out, containerPath: '/out' },
        inputs: [
          { hostPath: this.work.input, containerPath: '/in' },
          ...this.repository.mounts,
        ],
      }),
    });
    this.#image ??= outcome.image;
    this.#compiler ??= outcome.compiler;
    if (outcome.exitCode !== 0) {
      // resolve.py reports pip's failures in resolve.json; exiting non-zero means it could not run at all.
      const context = { target: this.data.target, package: `resolve py${this.data.python}`, logPath: this.logPath, logTail: await readLogTail(this.logPath) };
      throw new BuildFailedError(context, outcome.exitCode);
    }
    const output = validate(ResolveDriverOutput, JSON.parse(await this.readOutput('resolve.json')), 'resolve.json of the resolve driver');
    await this.refuseTransientGaps(output);
    for (const sdist of output.sdists) {
      const key = sdistKey(sdist.name, sdist.version);
      if (this.#discovered.has(key)) continue;
      this.#discovered.set(key, { ...sdist, name: normalizeName(sdist.name) });
      await this.keepDownload(sdist);
    }
    return output;
  }

  /**
   * Throws `TransientError` when pip's own log of one run, `pipLog` under the
   * output directory, says the network or the index failed it (a 503 on an
   * index page is a debug line there; the console only says "from versions:
   * none"): retried with backoff, never recorded as a failure or a gap.
   */
  private async throwIfTransient(pipLog: string, what: string): Promise<void> {
    const failure = classifyPipFailure(await readContainerOutputTail(this.work.output, pipLog, 1024 * 1024).catch(() => ''));
    if (failure.kind !== 'transient') return;
    await appendFile(this.logPath, `# farm: ${what}: pip failed because of the network or the index (${failure.reason}): transient, to be retried\n`);
    throw new TransientError(
      `resolve py${this.data.python} on ${this.data.target}: ${what} failed because of the network or the index: ${failure.reason} (log: ${this.logPath})`,
    );
  }

  /**
   * A build requirement that pip could not install for the hook's
   * environment because the network or the index failed is not "not built
   * yet": the graph would be planned from a 503. Retried instead.
   */
  private async refuseTransientGaps(output: ResolveDriverOutput): Promise<void> {
    for (const sdist of output.sdists) {
      for (const gap of sdist.unavailable ?? []) {
        await this.throwIfTransient(gap.pipLog, `installing ${gap.requirement} to ask ${sdist.name}'s build backend for its requirements`);
      }
    }
  }

  async report(file: string): Promise<ResolvedSet> {
    const data: unknown = JSON.parse(await this.readOutput(file));
    return parsePipReport(data, this.data.target, this.data.python, `pip report of ${this.data.target} py${this.data.python}`, this.repository.urlPrefix);
  }

  async recordSet(requires: readonly string[], result: ResolveDriverOutput['resolutions'][number] | undefined): Promise<void> {
    if (result?.report === null || result === undefined) {
      this.#resolvedSets.set(setKey(requires), {
        error: `pip could not resolve its build requirements ${requires.join(', ')} (exit ${result?.exitCode ?? '?'}; see the resolve log)`,
      });
      return;
    }
    this.#resolvedSets.set(setKey(requires), { packages: (await this.report(result.report)).packages });
  }

  /**
   * Moves a downloaded sdist into the worker's download cache, so the build
   * finds it there. Only a regular file with the index's sha256 is kept.
   */
  async keepDownload(sdist: DiscoveredSdist): Promise<void> {
    if (sdist.file === undefined || sdist.sha256 === null) return;
    const dest = downloadCachePath(path.join(this.env.stateDir, 'downloads'), sdist.filename, sdist.sha256);
    if (dest === undefined) return;
    const copy = `${dest}.${process.pid}-${this.options.jobId}.part`;
    try {
      // Copied out without following symlinks, next to its place in the cache (a directory the container never saw).
      await mkdir(path.dirname(dest), { recursive: true });
      await copyContainerOutput(this.work.output, `sdists/${path.basename(sdist.filename)}`, copy);
      if ((await hashFile(copy)).sha256 !== sdist.sha256) return;
      await rename(copy, dest);
    } catch {
      // A missing or odd file only costs the build a download.
    } finally {
      await rm(copy, { force: true });
    }
  }

  /**
   * A small output file of the driver, read without following symlinks
   * (src/files/container-output.ts). One that is not a regular file reached
   * without symlinks, or not JSON, fails the resolution with its log.
   */
  async readOutput(relative: string): Promise<string> {
    try {
      const text = await readContainerOutput(this.work.output, relative);
      JSON.parse(text);
      return text;
    } catch (error) {
      if (!(error instanceof UnsafeOutputError || error instanceof SyntaxError)) throw error;
      await appendFile(this.logPath, `# farm: ${error.message}\n`);
      const context = { target: this.data.target, package: `resolve py${this.data.python}`, logPath: this.logPath, logTail: await readLogTail(this.logPath) };
      throw new BuildFailedError(context, 3);
    }
  }

  /**
   * A cycle among sdists' build environments can't be built from sources
   * alone. Resolve the environments in the cycle again with the cycle's
   * projects as wheels only: where upstream has wheels, the cycle starts from
   * them. Otherwise every sdist in it gets an error naming the cycle.
   */
  async breakCycles(): Promise<void> {
    const graph = () =>
      new Map(
        [...this.#envs].map(([key, env]) => [key, env.packages.filter((p) => p.kind === 'sdist' && !p.fromRepository).map((p) => sdistKey(p.name, p.version))]),
      );
    const cycles = buildCycles(graph());
    if (cycles.length === 0) return;
    const retries: { cycle: string[]; key: string; requires: readonly string[]; id: string }[] = [];
    for (const cycle of cycles) {
      const names = [...new Set(cycle.map((k) => k.split('==')[0]!))];
      for (const key of cycle) {
        const env = this.#envs.get(key)!;
        retries.push({ cycle: names, key, requires: env.requires, id: `c${this.#setIds++}` });
      }
    }
    await appendFile(this.logPath, `# farm: build requirements form ${cycles.map(describeCycle).join('; ')}: trying upstream wheels for them\n`);
    const output = await this.round(retries.map((r) => ({ id: r.id, args: requirementArgs(r.requires), onlyBinary: r.cycle })));
    for (const retry of retries) {
      const result = output.resolutions.find((r) => r.id === retry.id);
      const env = this.#envs.get(retry.key)!;
      if (result?.report !== null && result !== undefined) this.#envs.set(retry.key, { ...env, packages: (await this.report(result.report)).packages });
    }
    for (const cycle of buildCycles(graph())) {
      const names = [...new Set(cycle.map((k) => k.split('==')[0]!))];
      const error =
        `its build requirements form a cycle: ${describeCycle(cycle)}, and upstream has no wheel of ${names.join(' or ')} to start from; ` +
        `add one to the repository (farm add) to break it`;
      for (const key of cycle) this.#envs.set(key, { ...this.#envs.get(key)!, packages: [], error });
    }
  }
}

function envOf(sdist: DiscoveredSdist, requires: readonly string[], packages: ResolvedPackage[], error?: string): BuildEnv {
  return { name: sdist.name, version: sdist.version, requires: [...requires], packages, ...(error !== undefined ? { error } : {}) };
}
