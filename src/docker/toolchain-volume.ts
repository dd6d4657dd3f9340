/**
 * The toolchain volume of an engine: the toolchain image's tree, copied into
 * a named volume that build containers mount read-only (Docker 20.10 cannot
 * mount an image directly). Docker fills an empty named volume from the
 * image's content at the mount point when a container of that image mounts
 * it; a short native container does that once per engine and image, and
 * leaves a marker only when the tree's compilers ran. Volumes are per engine,
 * so this works for remote Docker hosts too (with the image loaded there).
 */
import type Dockerode from 'dockerode';
import { TransientError } from '../errors.js';
import { FARM_LABELS, containerLabels } from './container-spec.js';
import { runContainer } from './run-container.js';
import { TOOLCHAIN_MOUNT_PATH, toolchainVolumeName } from './toolchain-mount.js';

/** The check `builders/toolchain/check.sh` becomes in the image. */
export const TOOLCHAIN_CHECK_SCRIPT = `${TOOLCHAIN_MOUNT_PATH}/check.sh`;
/** Marker the populating container writes after its checks passed. */
export const TOOLCHAIN_READY_MARKER = `${TOOLCHAIN_MOUNT_PATH}/.farm-ready`;

export interface EnsureToolchainVolumeOptions {
  /** The toolchain image, by reference, and its id (names the volume). */
  image: string;
  imageId: string;
  workerId: string;
  logPath: string;
  timeoutMs?: number;
}

/**
 * The populating container, as data. Pure. It runs the tree's own programs
 * (natively, amd64): each cross compiler answers, then the marker is written
 * (`builders/toolchain/check.sh`).
 */
export function toolchainPopulateSpec(
  options: Pick<EnsureToolchainVolumeOptions, 'image' | 'workerId'>,
  volume: string,
): Dockerode.ContainerCreateOptions {
  return {
    platform: 'linux/amd64',
    Image: options.image,
    Entrypoint: [`${TOOLCHAIN_MOUNT_PATH}/usr/bin/sh`],
    Cmd: [TOOLCHAIN_CHECK_SCRIPT, TOOLCHAIN_READY_MARKER],
    User: '0:0',
    Labels: containerLabels({ jobId: `toolchain-volume-${volume}`, workerId: options.workerId, targetId: 'toolchain', network: 'none', cacheVolumePrefix: 'farm-cache-' }),
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [{ Type: 'volume', Source: volume, Target: TOOLCHAIN_MOUNT_PATH, ReadOnly: false }],
      SecurityOpt: ['no-new-privileges'],
      AutoRemove: false,
    },
  };
}

/**
 * Creates and fills the toolchain volume for `imageId` if needed. Idempotent:
 * a filled volume is not copied again (Docker only fills empty volumes), and
 * the check is cheap. Returns the volume name.
 */
export async function ensureToolchainVolume(docker: Dockerode, options: EnsureToolchainVolumeOptions): Promise<string> {
  const volume = toolchainVolumeName(options.imageId);
  try {
    await docker.createVolume({
      Name: volume,
      Labels: { [FARM_LABELS.managed]: 'true', 'farm.toolchain': options.imageId },
    });
  } catch (error) {
    throw new TransientError(`docker: create volume ${volume} failed: ${(error as Error).message}`, { cause: error });
  }
  const result = await runContainer(docker, toolchainPopulateSpec(options, volume), {
    logPath: options.logPath,
    timeoutMs: options.timeoutMs ?? 300_000,
    package: `toolchain volume ${volume}`,
  });
  if (result.exitCode !== 0) {
    throw new TransientError(`filling the toolchain volume ${volume} exited ${result.exitCode} (log: ${result.logPath})`);
  }
  return volume;
}
