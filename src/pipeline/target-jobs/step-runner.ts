/**
 * Runs one container step for a target on a Docker host that can run it:
 * placement (native before emulated, least loaded), the host's concurrency
 * limit, the target's cache volume (set up once per host and process), and
 * the executor's runner (timeout, cancel, log file, always removed).
 */
import { appendFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import { decideCompiler, type CompilerDecision } from '../../docker/compiler-mode.js';
import { buildContainerSpec, type BuildStepInput } from '../../docker/container-spec.js';
import { ensureCacheVolume } from '../../docker/cache-volume.js';
import { placeTarget, type DockerHost } from '../../docker/docker-hosts.js';
import type { NetworkHolders } from '../../docker/network-holders.js';
import { runContainer, type RunResult } from '../../docker/run-container.js';
import type { HostToolchain, Toolchains } from '../../docker/toolchains.js';
import type { ToolchainUseInput } from '../../docker/toolchain-mount.js';
import type { DockerPlatform, Target } from '../../targets/catalog.js';
import { getTarget } from '../../targets/parse-targets.js';
import type { BuilderImage, BuilderImages } from '../../images/builder-images.js';
import { TransientError } from '../../errors.js';
import { workerLogPath } from '../contract/log-paths.js';
import { killedFromOutside } from './failure-policy.js';

/** Who runs steps: the worker's hosts and identity. */
export interface StepEnvironment {
  hosts: readonly DockerHost[];
  images: BuilderImages;
  workerId: string;
  stateDir: string;
  /** Prefix of cache volume names (tests use their own). */
  cacheVolumePrefix: string;
  /** The cross toolchain per host (hybrid ARM builds, ccache); unset: image compilers only, no ccache. */
  toolchains?: Toolchains;
  /** Cap of each build log (`pipeline.maxLogBytes`); unset: `DEFAULT_MAX_LOG_BYTES`. */
  maxLogBytes?: number;
  /** Steps with the network off join a holder's namespace (faster starts); unset: each gets its own. */
  networkHolders?: NetworkHolders;
}

/**
 * A step as its caller describes it: by default in the target's builder
 * image, on the target's platform, with the host's network; `image`,
 * `platform` and `network` override that (a derived image with the recipe's
 * packages, the tool image on the host's own platform, a compile with the
 * network off).
 */
export type StepInput = Omit<BuildStepInput, 'image' | 'platform'> & {
  image?: { readonly reference: string };
  platform?: DockerPlatform;
  network?: DockerHost['network'];
};

export interface StepRequest {
  targetId: string;
  python: string;
  jobId: string;
  requestId?: string;
  /**
   * Builds the step (and writes its input files) once the host and its
   * builder image for the target are known; may prepare images on that host.
   */
  step: (image: BuilderImage, host: DockerHost) => StepInput | Promise<StepInput>;
  logPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `name==version` for error messages. */
  package: string;
  /**
   * Set for steps that compile: they get farm's toolchain (hybrid compiler,
   * ccache) where it applies. `crossCompile` is the recipe's setting,
   * `planned` the compiler the build's identity names (see compiler-mode.ts).
   */
  compile?: { crossCompile?: boolean; planned?: string | null };
  /** What the container does, as its `farm.step` label says: `resolve`, `compile`, `repair`, `smoke`. */
  kind?: 'resolve' | 'compile' | 'repair' | 'smoke';
}

export interface StepOutcome extends RunResult {
  host: string;
  image: BuilderImage;
  /** The compiler builds of this target get on this host (ignoring recipes): part of the build identity. */
  compiler: CompilerIdentity;
}

/** A host's compiler for a target: the decision and, in hybrid mode, the toolchain image id. */
export interface CompilerIdentity {
  readonly decision: CompilerDecision;
  readonly toolchain: HostToolchain | undefined;
}

/** What a build of `target` in `image` on `host` compiles with (`compile` as in `StepRequest`; none: the host's choice). */
export async function compilerFor(
  env: Pick<StepEnvironment, 'toolchains'>,
  host: DockerHost,
  target: Target,
  image: BuilderImage,
  compile: StepRequest['compile'] = {},
): Promise<CompilerIdentity> {
  const toolchain = await env.toolchains?.get(host.client, host.name);
  const decision = decideCompiler({
    target,
    hostNative: host.native,
    hostSetting: host.crossCompile,
    recipeSetting: compile.crossCompile,
    imageMatchesToolchain: image.bootstrapLabelled,
    toolchainId: toolchain?.id,
    planned: compile.planned,
  });
  return { decision, toolchain };
}

/** The toolchain part of a compiling step: hybrid compiler and/or ccache, or nothing. */
function toolchainUse(host: DockerHost, compiler: CompilerIdentity, image: BuilderImage, cache: boolean): ToolchainUseInput | undefined {
  const { toolchain, decision } = compiler;
  if (toolchain === undefined) return undefined;
  const ccache = host.ccache && cache;
  if (decision.mode !== 'hybrid' && !ccache) return undefined;
  return { volume: toolchain.volume, cross: decision.cross, ccache, basePath: image.path };
}

const volumesReady = new WeakMap<Dockerode, Map<string, Promise<string>>>();

function cacheVolume(env: StepEnvironment, host: DockerHost, targetId: string, image: BuilderImage): Promise<string> {
  let perHost = volumesReady.get(host.client);
  if (perHost === undefined) {
    perHost = new Map();
    volumesReady.set(host.client, perHost);
  }
  const key = `${env.cacheVolumePrefix}${targetId}`;
  let ready = perHost.get(key);
  if (ready === undefined) {
    ready = ensureCacheVolume(host.client, {
      targetId,
      image: image.reference,
      platform: getTarget(targetId).platform,
      workerId: env.workerId,
      logPath: workerLogPath(env.stateDir, `cache-volume-${host.name}-${targetId}`),
      prefix: env.cacheVolumePrefix,
    });
    perHost.set(key, ready);
    ready.catch(() => perHost.delete(key));
  }
  return ready;
}

/**
 * Runs the step; non-zero exit codes are returned, infrastructure failures
 * thrown (see `runContainer`), and so is a container killed from outside
 * (`TransientError`, see `killedFromOutside`).
 */
export async function runStep(env: StepEnvironment, request: StepRequest): Promise<StepOutcome> {
  const target = getTarget(request.targetId);
  const host = placeTarget(env.hosts, target);
  return host.run(async (h) => {
    const image = await env.images.get(h.client, h.name, request.targetId, request.python);
    const { image: override, platform, network, ...step } = await request.step(image, h);
    if (step.cache !== false) await cacheVolume(env, h, request.targetId, image);
    const compiler = await compilerFor(env, h, target, image, request.compile);
    const toolchain = request.compile === undefined ? undefined : toolchainUse(h, compiler, image, step.cache !== false);
    if (request.compile !== undefined) {
      const tools = toolchain === undefined ? 'no toolchain' : `${toolchain.ccache ? 'ccache, ' : ''}toolchain ${compiler.toolchain?.image}@${compiler.toolchain?.id}`;
      await appendFile(request.logPath, `# farm: compiler: ${compiler.decision.mode} (${compiler.decision.reason}); ${tools}\n`);
      if (!compiler.decision.matchesPlan) {
        await appendFile(request.logPath, `# farm: this host does not compile as planned: the wheel is recorded with the compiler that ran, a failure is not cached\n`);
      }
    }
    const reference = override?.reference ?? image.reference;
    const stepPlatform = platform ?? target.platform;
    const mode = network ?? h.network;
    const run = (networkOf?: string) => {
      const spec = buildContainerSpec(
        { ...step, ...(toolchain === undefined ? {} : { toolchain }), image: reference, platform: stepPlatform },
        {
          jobId: request.jobId,
          workerId: env.workerId,
          targetId: request.targetId,
          ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
          ...(request.kind !== undefined ? { step: request.kind } : {}),
          network: mode,
          ...(networkOf === undefined ? {} : { networkOf }),
          cacheVolumePrefix: env.cacheVolumePrefix,
        },
      );
      return runContainer(h.client, spec, {
        logPath: request.logPath,
        timeoutMs: request.timeoutMs,
        package: request.package,
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
        ...(env.maxLogBytes !== undefined ? { maxLogBytes: env.maxLogBytes } : {}),
      });
    };
    // A holder is made from the target's builder image, not a derived one: derived images come and go (pruned, rebuilt).
    const holders = mode === 'none' ? env.networkHolders : undefined;
    const result =
      holders === undefined ? await run() : await holders.withIsolatedNetwork(h.client, { reference: image.reference, platform: target.platform }, run);
    if (killedFromOutside(result)) {
      throw new TransientError(
        `${request.package} on ${request.targetId}: the container was killed from outside (exit ${result.exitCode}: ` +
          `the Docker engine on ${h.name} stopped or restarted, docker kill, or the host's OOM killer); to be retried (log: ${request.logPath})`,
      );
    }
    return { ...result, host: h.name, image, compiler };
  });
}
