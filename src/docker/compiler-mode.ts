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
 *
 * The compiler is part of a build's identity (`<image>@<id> cc=<toolchain
 * id>`, see `compilerIdentitySuffix`), fixed when the request is resolved on
 * one host; the build may run on another whose settings differ. A build
 * planned with the image's compiler then keeps it (hybrid is an
 * optimisation, never a change of identity); one planned hybrid on a host
 * that can't (crossCompile: false there, no toolchain, another toolchain)
 * runs as the host can, says so, and is recorded with what really ran.
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
  /** The content id of the host's toolchain image (volume ready), undefined when the host has none. */
  readonly toolchainId: string | undefined;
  /**
   * The compiler the build was planned with: a toolchain id (hybrid), null
   * (the image's own compiler), or undefined when there is no plan yet (the
   * resolve step, which decides it).
   */
  readonly planned?: string | null | undefined;
}

export interface CompilerDecision {
  readonly mode: CompilerMode;
  /** Set in hybrid mode: the architecture whose cross compiler answers. */
  readonly cross: CrossArch | undefined;
  /** Set in hybrid mode: the toolchain image id (the compiler part of the build identity). */
  readonly toolchain: string | undefined;
  /** Why, for the build log. */
  readonly reason: string;
  /**
   * False when this host can't compile the way the build was planned: the
   * build runs anyway, but what it produces (or a failure) belongs to the
   * compiler that really ran, not to the planned identity.
   */
  readonly matchesPlan: boolean;
}

const isCrossArch = (arch: string): arch is CrossArch => Object.hasOwn(CROSS_TRIPLETS, arch);

type HostDecision = Omit<CompilerDecision, 'matchesPlan'>;

/** The host's choice for the target, before recipes and plans. */
function decideForHost(input: CompilerInput): HostDecision {
  const off = (mode: CompilerMode, reason: string): HostDecision => ({ mode, cross: undefined, toolchain: undefined, reason });
  if (input.hostNative.includes(input.target.platform)) return off('native', 'the host runs the target natively');
  if (!input.hostNative.includes('linux/amd64')) return off('emulated', 'the cross toolchain runs on x86_64 hosts only');
  const arch = input.target.arch;
  if (!isCrossArch(arch)) return off('emulated', `the cross toolchain has no compiler for ${arch}`);
  if (input.hostSetting === false) return off('emulated', 'docker.hosts[].crossCompile is false');
  if (input.hostSetting !== true && !input.imageMatchesToolchain) {
    return off('emulated', "the image is not one of farm's bootstrap images (set docker.hosts[].crossCompile: true to use the cross compiler anyway)");
  }
  if (input.toolchainId === undefined) return off('emulated', 'the cross toolchain image is missing (farm images bootstrap builds it)');
  return { mode: 'hybrid', cross: arch, toolchain: input.toolchainId, reason: `native ${CROSS_TRIPLETS[arch]}-gcc, Python and pip emulated` };
}

/** Decides the compiler of a build step (table-tested in test/unit/docker/compiler-mode.test.ts). */
export function decideCompiler(input: CompilerInput): CompilerDecision {
  const host = decideForHost(input);
  const emulated = (reason: string): HostDecision => ({ mode: 'emulated', cross: undefined, toolchain: undefined, reason });
  // The recipe's crossCompile: false is part of the recipe hash: the image's compiler on every host.
  if (input.recipeSetting === false && host.mode !== 'native') {
    return { ...(host.mode === 'hybrid' ? emulated("the package's recipe sets crossCompile: false") : host), matchesPlan: true };
  }
  // A plan with the image's compiler keeps it, even where hybrid is possible.
  if (input.planned === null && host.mode === 'hybrid') {
    return { ...emulated("the build was planned with the image's compiler (resolved where the cross toolchain did not apply)"), matchesPlan: true };
  }
  const matchesPlan = input.planned === undefined || input.planned === (host.toolchain ?? null);
  if (matchesPlan) return { ...host, matchesPlan };
  const here = host.toolchain === undefined ? "the image's compiler" : `toolchain ${host.toolchain}`;
  return { ...host, reason: `${host.reason}; planned with toolchain ${input.planned}, this host has ${here}`, matchesPlan };
}

/** The compiler part of a build identity: ` cc=<toolchain id>` in hybrid mode, '' for the image's own compiler. */
export function compilerIdentitySuffix(toolchain: string | undefined): string {
  return toolchain === undefined ? '' : ` cc=${toolchain}`;
}

/** The compiler a build identity (`<image>@<id>[ cc=<toolchain id>]`) names: the toolchain id, or null for the image's own. */
export function plannedCompiler(identity: string): string | null {
  const match = / cc=(\S+)$/.exec(identity);
  return match === null ? null : match[1]!;
}
