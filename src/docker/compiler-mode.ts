/**
 * Which compiler a build step runs, decided as data. Pure.
 *
 * - `native`: the target runs natively on the host; the image's compiler.
 * - `emulated`: the image's compiler under qemu, like everything else.
 * - `hybrid`: Python, pip, the build backend and configure's test programs
 *   under qemu, only the compiler and binutils native (farm's cross
 *   toolchain, with the container's root as the sysroot).
 *
 * ccache (native, from the same toolchain) goes in front of whichever one
 * runs when the toolchain is available and ccache is on.
 */
import type { DockerPlatform, Target } from '../targets/catalog.js';
import { CROSS_TRIPLETS, type CrossArch } from './toolchain-mount.js';

export type CompilerMode = 'native' | 'emulated' | 'hybrid';

export interface CompilerInput {
  readonly target: Pick<Target, 'arch' | 'platform'>;
  /** Platforms the host runs without emulation. */
  readonly hostNative: readonly DockerPlatform[];
  /** `docker.hosts[].crossCompile`: undefined is automatic. */
  readonly hostSetting: boolean | undefined;
  /** The recipe's `crossCompile` for this package (false turns hybrid off). */
  readonly recipeSetting: boolean | undefined;
  /**
   * Whether the image's compiler is the toolchain's gcc version on the same
   * Debian (farm's bootstrap images, or images derived from them): only then
   * is hybrid on automatically, since a cross compiler newer than the
   * image's own can link against a libstdc++ the image does not have.
   */
  readonly imageMatchesToolchain: boolean;
  /** Whether the host has the toolchain (image present, volume ready). */
  readonly toolchainAvailable: boolean;
}

export interface CompilerDecision {
  readonly mode: CompilerMode;
  /** Set in hybrid mode: the architecture whose cross compiler answers. */
  readonly cross: CrossArch | undefined;
  /** Why, for the build log. */
  readonly reason: string;
}

const isCrossArch = (arch: string): arch is CrossArch => Object.hasOwn(CROSS_TRIPLETS, arch);

/** Decides the compiler of a build step (table-tested in test/unit/docker/compiler-mode.test.ts). */
export function decideCompiler(input: CompilerInput): CompilerDecision {
  const off = (mode: CompilerMode, reason: string): CompilerDecision => ({ mode, cross: undefined, reason });
  if (input.hostNative.includes(input.target.platform)) return off('native', 'the host runs the target natively');
  if (!input.hostNative.includes('linux/amd64')) return off('emulated', 'the cross toolchain runs on x86_64 hosts only');
  const arch = input.target.arch;
  if (!isCrossArch(arch)) return off('emulated', `the cross toolchain has no compiler for ${arch}`);
  if (input.hostSetting === false) return off('emulated', 'docker.hosts[].crossCompile is false');
  if (input.recipeSetting === false) return off('emulated', "the package's recipe sets crossCompile: false");
  if (input.hostSetting !== true && !input.imageMatchesToolchain) {
    return off('emulated', "the image is not one of farm's bootstrap images (set docker.hosts[].crossCompile: true to use the cross compiler anyway)");
  }
  if (!input.toolchainAvailable) return off('emulated', 'the cross toolchain image is missing (farm images bootstrap builds it)');
  return { mode: 'hybrid', cross: arch, reason: `native ${CROSS_TRIPLETS[arch]}-gcc, Python and pip emulated` };
}
