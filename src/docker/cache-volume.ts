/**
 * The per-target cache volume. Docker creates named volumes owned by root,
 * where a build running as uid 1000 could not write its pip cache; so before
 * a target's first build on a host, the volume is created and handed to the
 * build user by a short root step.
 */
import type Dockerode from 'dockerode';
import { TransientError } from '../errors.js';
import type { DockerPlatform } from '../targets/catalog.js';
import {
  CACHE_MOUNT_PATH,
  DEFAULT_CACHE_VOLUME_PREFIX,
  DEFAULT_USER,
  FARM_LABELS,
  buildContainerSpec,
  cacheVolumeName,
} from './container-spec.js';
import { runContainer } from './run-container.js';

/** Which volume to prepare, with which image, for whom. */
export interface EnsureCacheVolumeOptions {
  targetId: string;
  /** Any image of the target with `chown` on its PATH (the builder image). */
  image: string;
  platform: DockerPlatform;
  workerId: string;
  /** Log of the ownership step. */
  logPath: string;
  /** The build user that must own the cache; default `1000:1000`. */
  user?: string;
  prefix?: string;
  timeoutMs?: number;
}

/**
 * Creates the target's cache volume if needed and makes `user` its owner.
 * Idempotent and cheap; callers run it once per target and host per process.
 * Returns the volume name.
 */
export async function ensureCacheVolume(docker: Dockerode, options: EnsureCacheVolumeOptions): Promise<string> {
  const prefix = options.prefix ?? DEFAULT_CACHE_VOLUME_PREFIX;
  const name = cacheVolumeName(options.targetId, prefix);
  const user = options.user ?? DEFAULT_USER;
  try {
    await docker.createVolume({
      Name: name,
      Labels: { [FARM_LABELS.managed]: 'true', [FARM_LABELS.target]: options.targetId },
    });
  } catch (error) {
    throw new TransientError(`docker: create volume ${name} failed: ${(error as Error).message}`, { cause: error });
  }
  const spec = buildContainerSpec(
    {
      image: options.image,
      platform: options.platform,
      argv: ['chown', user, CACHE_MOUNT_PATH],
      user: '0:0',
      cache: true,
    },
    {
      jobId: `cache-volume-${options.targetId}`,
      workerId: options.workerId,
      targetId: options.targetId,
      network: 'none',
      cacheVolumePrefix: prefix,
    },
  );
  const result = await runContainer(docker, spec, {
    logPath: options.logPath,
    timeoutMs: options.timeoutMs ?? 120_000,
    package: `cache volume ${name}`,
  });
  if (result.exitCode !== 0) {
    throw new TransientError(`chown of cache volume ${name} exited ${result.exitCode} (log: ${result.logPath})`);
  }
  return name;
}
