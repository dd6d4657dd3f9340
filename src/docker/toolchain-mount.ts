/**
 * farm's native toolchain inside a build container, as data. The toolchain
 * image (`builders/toolchain`) is copied once per engine into a volume that
 * build containers mount read-only at `/farm/toolchain`; its x86_64 programs
 * carry their own loader and libraries there, so they run natively in any
 * container on an x86_64 host, an emulated ARM one included. Two uses, each
 * only a PATH entry in front of the image's own:
 *
 * - hybrid: `/farm/toolchain/<arch>/bin` holds Debian's cross compiler and
 *   binutils for the target under every name a build calls (`cc`, `gcc`,
 *   `c++`, `g++`, `ld`, `ar`, `strip`, `<triplet>-gcc`, …), with the
 *   container's own root as the sysroot. Python, pip, the build backend and
 *   configure's test programs stay the image's (emulated) ones.
 * - ccache: `/farm/toolchain/ccache/bin` holds ccache under the compilers'
 *   names; it runs the next compiler of that name on PATH (the hybrid one, or
 *   the image's own, native or emulated) and keeps its objects in the
 *   target's cache volume.
 *
 * Pure: no Docker here; `container-spec.ts` turns it into mounts and env.
 */
import type Dockerode from 'dockerode';
import { z } from 'zod';

/** Where the toolchain volume is mounted (the tree's programs are patched for this path). */
export const TOOLCHAIN_MOUNT_PATH = '/farm/toolchain';
/** Prefix of toolchain volume names: `farm-toolchain-<image id>`. */
export const TOOLCHAIN_VOLUME_PREFIX = 'farm-toolchain-';
/** Wheel architectures the toolchain has a cross compiler for, with their GNU triplets. */
export const CROSS_TRIPLETS = { armv7l: 'arm-linux-gnueabihf', aarch64: 'aarch64-linux-gnu' } as const;
export type CrossArch = keyof typeof CROSS_TRIPLETS;

const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Docker volume name');

/** How a step uses the toolchain volume. */
export const ToolchainUse = z.strictObject({
  volume: VolumeName,
  /** Hybrid mode: the native cross compiler for this architecture answers to the compilers' names. */
  cross: z.enum(['armv7l', 'aarch64']).optional(),
  /** ccache in front of whichever compiler runs; its cache lives in the target's cache volume. */
  ccache: z.boolean().default(true),
  /** The image's own PATH, which the toolchain's directories go in front of. */
  basePath: z.string().min(1),
});
export type ToolchainUse = z.infer<typeof ToolchainUse>;
export type ToolchainUseInput = z.input<typeof ToolchainUse>;

/** The volume holding one toolchain image's tree: named after the image id, so a new toolchain gets a new volume. */
export function toolchainVolumeName(imageId: string): string {
  return `${TOOLCHAIN_VOLUME_PREFIX}${imageId.replace(/^sha256:/, '').slice(0, 16)}`;
}

/** The PATH of a step using the toolchain: ccache first, then the hybrid compiler, then `base`. */
export function toolchainPath(use: Pick<ToolchainUse, 'cross' | 'ccache'>, base: string): string {
  const dirs: string[] = [];
  if (use.ccache) dirs.push(`${TOOLCHAIN_MOUNT_PATH}/ccache/bin`);
  if (use.cross !== undefined) dirs.push(`${TOOLCHAIN_MOUNT_PATH}/${use.cross}/bin`);
  return [...dirs, base].join(':');
}

/**
 * ccache's settings. Builds unpack into random directories under /tmp
 * (pip's `pip-req-build-*`), so paths under /tmp are hashed relative to the
 * working directory and the working directory itself is not hashed; the
 * compiler is identified by content, not by the mtime a volume copy may change.
 */
export function ccacheEnv(cacheDir: string): Record<string, string> {
  return {
    CCACHE_DIR: cacheDir,
    CCACHE_BASEDIR: '/tmp',
    CCACHE_NOHASHDIR: '1',
    CCACHE_COMPILERCHECK: 'content',
    CCACHE_MAXSIZE: '5G',
  };
}

/** The environment a step using the toolchain gets (PATH built from `base`). */
export function toolchainEnv(use: ToolchainUse, ccacheDir: string, base: string): Record<string, string> {
  return {
    PATH: toolchainPath(use, base),
    FARM_COMPILER: use.cross === undefined ? 'image' : `hybrid-${CROSS_TRIPLETS[use.cross]}`,
    ...(use.ccache ? ccacheEnv(ccacheDir) : {}),
  };
}

/** The read-only volume mount of the toolchain. */
export function toolchainMount(use: Pick<ToolchainUse, 'volume'>): Dockerode.MountSettings {
  return { Type: 'volume', Source: use.volume, Target: TOOLCHAIN_MOUNT_PATH, ReadOnly: true };
}
