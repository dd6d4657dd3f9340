/**
 * The target catalog: every platform farm can build wheels for, as data.
 * Adding a target is adding an entry here; everything else (tags, images,
 * queues, repositories) derives from it.
 */

export type Libc = 'glibc' | 'musl';
/** Architecture as it appears in wheel platform tags (`uname -m`). */
export type Arch = 'x86_64' | 'aarch64' | 'armv7l';
/** Docker's platform string for the architecture. */
export type DockerPlatform = 'linux/amd64' | 'linux/arm64' | 'linux/arm/v7';

/** A build target: a libc and an architecture, and everything that follows from them. */
export interface Target {
  /** Stable id used on the command line and as the queue name suffix, e.g. `glibc-armv7`. */
  readonly id: string;
  readonly libc: Libc;
  readonly arch: Arch;
  readonly platform: DockerPlatform;
  /** Default repository directory the target's wheels land in. */
  readonly repository: string;
  /**
   * The newest libc the target's machines are assumed to have, `[major, minor]`.
   * Bounds which manylinux/musllinux tags it installs. Defaults to what the
   * official production builder image links against, so whatever farm builds
   * there installs on the target.
   */
  readonly libcVersion: readonly [number, number];
  /** Debian's name for the architecture, for `debootstrap --arch`. */
  readonly debianArch: 'amd64' | 'arm64' | 'armhf';
  /** The official PyPA image used by default in production. */
  readonly officialImage: string;
}

const target = (t: Target): Target => Object.freeze(t);

/** All built-in targets, keyed by id, in display order. */
export const TARGETS: ReadonlyMap<string, Target> = new Map(
  [
    target({
      id: 'glibc-x86_64',
      libc: 'glibc',
      arch: 'x86_64',
      platform: 'linux/amd64',
      repository: 'glibc',
      libcVersion: [2, 28],
      debianArch: 'amd64',
      officialImage: 'quay.io/pypa/manylinux_2_28_x86_64',
    }),
    target({
      id: 'glibc-aarch64',
      libc: 'glibc',
      arch: 'aarch64',
      platform: 'linux/arm64',
      repository: 'glibc',
      libcVersion: [2, 28],
      debianArch: 'arm64',
      officialImage: 'quay.io/pypa/manylinux_2_28_aarch64',
    }),
    target({
      id: 'glibc-armv7',
      libc: 'glibc',
      arch: 'armv7l',
      platform: 'linux/arm/v7',
      repository: 'glibc',
      libcVersion: [2, 31],
      debianArch: 'armhf',
      officialImage: 'quay.io/pypa/manylinux_2_31_armv7l',
    }),
    target({
      id: 'musl-x86_64',
      libc: 'musl',
      arch: 'x86_64',
      platform: 'linux/amd64',
      repository: 'musl',
      libcVersion: [1, 2],
      debianArch: 'amd64',
      officialImage: 'quay.io/pypa/musllinux_1_2_x86_64',
    }),
    target({
      id: 'musl-aarch64',
      libc: 'musl',
      arch: 'aarch64',
      platform: 'linux/arm64',
      repository: 'musl',
      libcVersion: [1, 2],
      debianArch: 'arm64',
      officialImage: 'quay.io/pypa/musllinux_1_2_aarch64',
    }),
    target({
      // Alpine on Raspberry Pi boards (cibuildwheel added musllinux_*_armv7l in 2.21.2).
      id: 'musl-armv7',
      libc: 'musl',
      arch: 'armv7l',
      platform: 'linux/arm/v7',
      repository: 'musl',
      libcVersion: [1, 2],
      debianArch: 'armhf',
      officialImage: 'quay.io/pypa/musllinux_1_2_armv7l',
    }),
  ].map((t) => [t.id, t] as const),
);

/** Python versions farm builds for when none are configured. */
export const DEFAULT_PYTHON_VERSIONS: readonly string[] = ['3.11'];
