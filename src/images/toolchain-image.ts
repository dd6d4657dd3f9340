/**
 * Names and parameters of farm's native cross toolchain image (built by
 * `builders/toolchain/make-rootfs.sh`): Debian's x86_64 cross compilers for
 * ARM, ccache and patchelf under `/farm/toolchain`. Pure.
 */
import type { Target } from '../targets/catalog.js';

/** Repository of the toolchain image; the tag names the Debian suite. */
export const TOOLCHAIN_IMAGE_REPO = 'farm/cross-toolchain';

/** The gcc each Debian suite ships, which the toolchain's cross compilers are. */
export const SUITE_GCC: Readonly<Record<string, string>> = { bullseye: '10', bookworm: '12', trixie: '14' };

/** Wheel architectures the toolchain cross-compiles for. */
export const TOOLCHAIN_ARCHES: readonly Target['arch'][] = ['armv7l', 'aarch64'];

/** `farm/cross-toolchain:bootstrap-bookworm`. */
export function toolchainImageName(suite: string): string {
  return `${TOOLCHAIN_IMAGE_REPO}:bootstrap-${suite}`;
}

/**
 * Whether builds of `target` on a host of Debian architecture `hostArch`
 * can use the toolchain's cross compiler: an x86_64 host, an ARM target.
 */
export function crossCompilable(target: Pick<Target, 'arch'>, hostArch: string): boolean {
  return hostArch === 'amd64' && TOOLCHAIN_ARCHES.includes(target.arch);
}
