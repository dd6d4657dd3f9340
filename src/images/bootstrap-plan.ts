import { UsageError } from '../errors.js';
import { TARGETS, type DockerPlatform, type Target } from '../targets/catalog.js';
import { bootstrapImageName, bootstrapLabels, interpreterPath } from './image-names.js';
import { recipeHash, type RecipeFile } from './recipe-hash.js';
import { SUITE_GCC, crossCompilable, toolchainImageName } from './toolchain-image.js';

/**
 * Bumped when what farm adds while turning a rootfs into an image (env,
 * labels, cmd, the archive format) changes, so that existing images no longer
 * match and are rebuilt.
 */
export const IMPORT_FORMAT = '2';

/** The Python each Debian suite ships: glibc bootstrap images can only provide that one. */
export const DEBIAN_SUITE_PYTHON: Readonly<Record<string, string>> = {
  bullseye: '3.9',
  bookworm: '3.11',
  trixie: '3.13',
};

interface StepBase {
  /** What the image is for, in progress lines and results: a target id, or `toolchain`. */
  readonly subject: string;
  readonly platform: DockerPlatform;
  /** The Python the image provides (empty for the toolchain). */
  readonly python: string;
  readonly image: string;
  readonly recipeHash: string;
  /** The parameters the recipe hash covers (and the scripts receive). */
  readonly params: Readonly<Record<string, string>>;
  /** For musl images: the glibc bootstrap image the build runs in. */
  readonly builder: string | undefined;
  /** Set when the step was not asked for but another step needs its image. */
  readonly neededBy: string | undefined;
}

/** A builder image of one target. */
export interface TargetStep extends StepBase {
  readonly family: 'glibc' | 'musl';
  readonly target: Target;
}

/** The native cross toolchain image (not a target's: mounted into their build containers). */
export interface ToolchainStep extends StepBase {
  readonly family: 'toolchain';
  readonly target: undefined;
}

/** One image `farm images bootstrap` builds. */
export type BootstrapStep = TargetStep | ToolchainStep;

export interface PlanInput {
  readonly targets: readonly Target[];
  readonly python: readonly string[];
  readonly mirror: string;
  readonly suite: string;
  readonly recipeFiles: Readonly<Record<'glibc' | 'musl', readonly RecipeFile[]>> & { readonly toolchain?: readonly RecipeFile[] };
  /**
   * Debian architecture of the host (default `amd64`). On an x86_64 host the
   * toolchain image is planned whenever an ARM target is: their builds use it.
   */
  readonly hostArch?: string;
}

/**
 * Architectures `musl/build-rootfs.sh` knows (musl's loader name, Debian's
 * musl triplet, an OpenSSL target). musl-armv7 has none yet: its builds use
 * the official musllinux_1_2_armv7l image.
 */
export const MUSL_BOOTSTRAP_ARCHES: readonly Target['arch'][] = ['x86_64', 'aarch64'];

/** The glibc target whose bootstrap image builds a musl target's image. */
export function builderTargetFor(target: Target): Target {
  const builder = [...TARGETS.values()].find((t) => t.libc === 'glibc' && t.arch === target.arch);
  if (builder === undefined) throw new UsageError(`no glibc target with architecture ${target.arch} to build ${target.id} in`);
  return builder;
}

/**
 * What to build, in order: glibc images first (musl images are compiled
 * inside them), each with its recipe hash. Pure.
 */
export function planBootstrap(input: PlanInput): BootstrapStep[] {
  const suitePython = DEBIAN_SUITE_PYTHON[input.suite];
  const wrong = input.python.filter((p) => suitePython !== undefined && p !== suitePython);
  if (wrong.length > 0) {
    throw new UsageError(
      `Debian ${input.suite} provides Python ${suitePython}; bootstrap images can't provide ${wrong.join(', ')}`,
      { hint: `use --python ${suitePython}, or set images.suite to a suite that ships the version` },
    );
  }
  const glibc = new Map<string, TargetStep>();
  const musl: TargetStep[] = [];
  const glibcStep = (target: Target, python: string, neededBy: string | undefined): TargetStep => {
    const key = `${target.id}/${python}`;
    const existing = glibc.get(key);
    if (existing !== undefined) {
      if (neededBy === undefined && existing.neededBy !== undefined) glibc.set(key, { ...existing, neededBy: undefined });
      return existing;
    }
    const params = {
      family: 'glibc',
      target: target.id,
      debianArch: target.debianArch,
      platform: target.platform,
      python,
      mirror: input.mirror,
      suite: input.suite,
      importFormat: IMPORT_FORMAT,
    };
    const step: TargetStep = {
      subject: target.id,
      platform: target.platform,
      target,
      family: 'glibc',
      python,
      image: bootstrapImageName(target.id, python),
      recipeHash: recipeHash(input.recipeFiles.glibc, params),
      params,
      builder: undefined,
      neededBy,
    };
    glibc.set(key, step);
    return step;
  };
  for (const python of input.python) {
    for (const target of input.targets) {
      if (target.libc === 'glibc') {
        glibcStep(target, python, undefined);
        continue;
      }
      if (!MUSL_BOOTSTRAP_ARCHES.includes(target.arch)) {
        throw new UsageError(`farm can't bootstrap an offline image for ${target.id} yet (builders/musl knows ${MUSL_BOOTSTRAP_ARCHES.join(' and ')})`, {
          hint: `its builds use the official ${target.officialImage} image (images.source: auto or official)`,
        });
      }
      const builder = glibcStep(builderTargetFor(target), python, target.id);
      const params = {
        family: 'musl',
        target: target.id,
        platform: target.platform,
        python,
        mirror: input.mirror,
        suite: input.suite,
        builderRecipeHash: builder.recipeHash,
        importFormat: IMPORT_FORMAT,
      };
      musl.push({
        subject: target.id,
        platform: target.platform,
        target,
        family: 'musl',
        python,
        image: bootstrapImageName(target.id, python),
        recipeHash: recipeHash(input.recipeFiles.musl, params),
        params,
        builder: builder.image,
        neededBy: undefined,
      });
    }
  }
  const toolchain = input.targets.some((t) => crossCompilable(t, input.hostArch ?? 'amd64')) ? [toolchainStep(input)] : [];
  return [...toolchain, ...glibc.values(), ...musl];
}

/** The toolchain image's step: its cross compilers are the suite's gcc. Pure. */
export function toolchainStep(input: Pick<PlanInput, 'mirror' | 'suite' | 'recipeFiles'>): ToolchainStep {
  const gcc = SUITE_GCC[input.suite];
  if (gcc === undefined) {
    throw new UsageError(`farm does not know which gcc Debian ${input.suite} ships, so it can't build its cross toolchain`, {
      hint: `set images.suite to one of ${Object.keys(SUITE_GCC).join(', ')}`,
    });
  }
  const params = { family: 'toolchain', suite: input.suite, mirror: input.mirror, gcc, importFormat: IMPORT_FORMAT };
  return {
    subject: 'toolchain',
    platform: 'linux/amd64',
    target: undefined,
    family: 'toolchain',
    python: '',
    image: toolchainImageName(input.suite),
    recipeHash: recipeHash(input.recipeFiles.toolchain ?? [], params),
    params,
    builder: undefined,
    neededBy: undefined,
  };
}

/** Labels a step's image carries. Pure. */
export function stepLabels(step: TargetStep): Record<string, string> {
  return { ...bootstrapLabels(step.target.id, step.python, step.recipeHash), 'farm.build-user': '1000' };
}

/** The environment a step's image starts with: its Python first on PATH. Pure. */
export function stepEnv(step: TargetStep): Record<string, string> {
  const bin = interpreterPath(step.python).replace(/\/python$/, '');
  return { PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: 'C.UTF-8' };
}
