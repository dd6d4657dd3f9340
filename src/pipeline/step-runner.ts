/**
 * Runs one container step for a target on a Docker host that can run it:
 * placement (native before emulated, least loaded), the host's concurrency
 * limit, the target's cache volume (set up once per host and process), and
 * the executor's runner (timeout, cancel, log file, always removed).
 */
import type Dockerode from 'dockerode';
import { buildContainerSpec, type BuildStepInput } from '../docker/container-spec.js';
import { ensureCacheVolume } from '../docker/cache-volume.js';
import { placeTarget, type DockerHost } from '../docker/docker-hosts.js';
import { runContainer, type RunResult } from '../docker/run-container.js';
import { getTarget } from '../targets/parse-targets.js';
import type { BuilderImage, BuilderImages } from '../images/builder-images.js';
import { workerLogPath } from './log-paths.js';

/** Who runs steps: the worker's hosts and identity. */
export interface StepEnvironment {
  hosts: readonly DockerHost[];
  images: BuilderImages;
  workerId: string;
  stateDir: string;
  /** Prefix of cache volume names (tests use their own). */
  cacheVolumePrefix: string;
}

export interface StepRequest {
  targetId: string;
  python: string;
  jobId: string;
  requestId?: string;
  /** Builds the step (and writes its input files) once the host's image is known. */
  step: (image: BuilderImage) => Omit<BuildStepInput, 'image' | 'platform'> | Promise<Omit<BuildStepInput, 'image' | 'platform'>>;
  logPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `name==version` for error messages. */
  package: string;
}

export interface StepOutcome extends RunResult {
  host: string;
  image: BuilderImage;
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

/** Runs the step; non-zero exit codes are returned, infrastructure failures thrown (see `runContainer`). */
export async function runStep(env: StepEnvironment, request: StepRequest): Promise<StepOutcome> {
  const target = getTarget(request.targetId);
  const host = placeTarget(env.hosts, target);
  return host.run(async (h) => {
    const image = await env.images.get(h.client, h.name, request.targetId, request.python);
    const step = await request.step(image);
    if (step.cache !== false) await cacheVolume(env, h, request.targetId, image);
    const spec = buildContainerSpec(
      { ...step, image: image.reference, platform: target.platform },
      {
        jobId: request.jobId,
        workerId: env.workerId,
        targetId: request.targetId,
        ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
        network: h.network,
        cacheVolumePrefix: env.cacheVolumePrefix,
      },
    );
    const result = await runContainer(h.client, spec, {
      logPath: request.logPath,
      timeoutMs: request.timeoutMs,
      package: request.package,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    });
    return { ...result, host: h.name, image };
  });
}
