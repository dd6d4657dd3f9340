/**
 * Which Docker host runs which target. Pure: hosts are described by the
 * platforms they run (natively or through qemu) and their current load.
 */
import { HostError } from '../errors.js';
import type { DockerPlatform, Target } from '../targets/catalog.js';
import { isHandlerUsable, type BinfmtHandler, type BinfmtStatus } from './binfmt-status.js';

/** The qemu binfmt handler that runs a platform's binaries on a foreign CPU. */
export const QEMU_HANDLER: Readonly<Record<DockerPlatform, BinfmtHandler>> = {
  'linux/amd64': 'qemu-x86_64',
  'linux/arm64': 'qemu-aarch64',
  'linux/arm/v7': 'qemu-arm',
};

const ALL_PLATFORMS = Object.keys(QEMU_HANDLER) as DockerPlatform[];

/**
 * The platform an engine runs without emulation, from `docker info`'s
 * `Architecture` (the kernel's `uname -m`; some engines report Go names).
 * 64-bit ARM hosts are not assumed to run 32-bit ARM: many server CPUs lack
 * AArch32, so arm/v7 there goes through qemu or explicit config.
 */
export function nativePlatform(engineArchitecture: string): DockerPlatform | undefined {
  switch (engineArchitecture) {
    case 'x86_64':
    case 'amd64':
      return 'linux/amd64';
    case 'aarch64':
    case 'arm64':
      return 'linux/arm64';
    case 'armv7l':
    case 'armv8l':
    case 'armhf':
    case 'arm':
      return 'linux/arm/v7';
    default:
      return undefined;
  }
}

/** What one host can run. */
export interface HostPlatforms {
  native: DockerPlatform[];
  emulated: DockerPlatform[];
}

/**
 * Resolves `docker.hosts[].platforms`. `auto`: the engine's native platform
 * plus every other platform whose qemu handler is enabled; `binfmt` is only
 * known for local engines, so remote `auto` hosts run their native platform
 * only. An explicit list is trusted; what is not native in it is emulated.
 */
export function resolveHostPlatforms(
  configured: 'auto' | readonly DockerPlatform[],
  engineArchitecture: string,
  binfmt: BinfmtStatus | undefined,
): HostPlatforms {
  const native = nativePlatform(engineArchitecture);
  const nativeList = native === undefined ? [] : [native];
  if (configured !== 'auto') {
    return {
      native: nativeList.filter((p) => configured.includes(p)),
      emulated: configured.filter((p) => p !== native),
    };
  }
  const emulated =
    binfmt === undefined
      ? []
      : ALL_PLATFORMS.filter((p) => p !== native && isHandlerUsable(binfmt, QEMU_HANDLER[p]));
  return { native: nativeList, emulated };
}

/** A host as placement sees it. */
export interface HostLoad extends HostPlatforms {
  name: string;
  concurrency: number;
  /** Steps running on it now. */
  active: number;
  /** Steps queued behind its concurrency limit. */
  pending: number;
}

/** The commands that turn on qemu emulation for a platform on a Debian host. */
export function enableEmulationHint(platform: DockerPlatform): string {
  const handler = QEMU_HANDLER[platform];
  return (
    `sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && sudo update-binfmts --enable ${handler}` +
    `   (or run: sudo scripts/setup-host.sh)`
  );
}

/**
 * Picks the host for a target: one that runs its platform, native before
 * emulated (qemu is 5-20x slower), then the least loaded relative to its
 * concurrency, then config order. Throws `HostError` when no host can run it,
 * saying whether emulation is missing and how to enable it.
 */
export function chooseHost<H extends HostLoad>(hosts: readonly H[], target: Target): H {
  const { platform } = target;
  const load = (h: H) => (h.active + h.pending) / h.concurrency;
  const candidates = hosts
    .map((host, order) => ({ host, order, native: host.native.includes(platform) }))
    .filter((c) => c.native || c.host.emulated.includes(platform))
    .sort((a, b) => Number(b.native) - Number(a.native) || load(a.host) - load(b.host) || a.order - b.order);
  const best = candidates[0];
  if (best !== undefined) return best.host;

  const names = hosts.map((h) => h.name).join(', ');
  if (hosts.length === 0) throw new HostError(`no Docker hosts are configured to run ${target.id}`);
  throw new HostError(
    `no Docker host can run ${target.id} (${platform}): no host (${names}) runs ${platform} natively, ` +
      `and binfmt/qemu emulation (${QEMU_HANDLER[platform]}) is not enabled`,
    { hint: enableEmulationHint(platform) },
  );
}
