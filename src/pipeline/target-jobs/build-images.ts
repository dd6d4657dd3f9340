/**
 * The images one build runs in, prepared on the host that runs it:
 *
 * - the compile's: the target's builder image plus what the recipe installs
 *   with root privileges (system packages, Rust, `before`), as a derived
 *   image built once per base image and step list (the privileged phase,
 *   kept apart from the unprivileged build);
 * - the smoke test's: the builder image itself, a clean machine, plus the
 *   recipe's `runtimePackages` when it has some;
 * - the tool image for vendoring: the host's native glibc builder image plus
 *   patchelf (an x86_64 patchelf edits ELF files of every architecture).
 */
import type { DockerHost } from '../../docker/docker-hosts.js';
import { HostError } from '../../errors.js';
import { ensureDerivedImage, type PrepareOptions } from '../../images/build-derived-image.js';
import type { BuilderImage, BuilderImages } from '../../images/builder-images.js';
import type { DerivedImageRequest } from '../../images/derived-image.js';
import { imageFacts } from '../../images/image-facts.js';
import type { EffectiveRecipe } from '../../recipes/effective-recipe.js';
import { installCommands, packagesFor, recipePlan, type RecipePlan } from '../../recipes/recipe-commands.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../../recipes/recipe-schema.js';
import type { SystemPackageSet } from '../../repository/inventory-schema.js';
import { TARGETS, type Target } from '../../targets/catalog.js';

/** An image a step runs in, and what the build records about it. */
export interface PreparedImage {
  /** `reference` to run (a derived image's tag, or the builder image). */
  readonly reference: string;
  /** `reference@sha256:<id>` when it is a derived image (provenance `buildImage`). */
  readonly derived?: string;
  /** The system packages it adds to the builder image. */
  readonly packages?: SystemPackageSet;
}

/**
 * The recipe's privileged steps for this image, and the rest of its plan
 * (environment, PATH). Runtime packages are installed for the compile too:
 * the build links against them, and the vendoring step must see which files
 * they own to leave their libraries out.
 */
export function compilePlan(recipe: EffectiveRecipe, base: BuilderImage, target: Target): { plan: RecipePlan; facts: ReturnType<typeof imageFacts>; recipe: EffectiveRecipe } {
  const facts = imageFacts(base.reference, base.source, target);
  const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();
  const packages: Record<PackageManager, string[]> = { apk: [], apt: [], dnf: [], yum: [] };
  for (const m of PACKAGE_MANAGERS) packages[m] = union(recipe.packages[m], recipe.runtimePackages[m]);
  const withRuntime: EffectiveRecipe = { ...recipe, packages };
  // The derived image's steps run as root through docker exec: no sudo, no asRoot.
  return { plan: recipePlan(withRuntime, { ...facts, root: true }, { target }), facts, recipe: withRuntime };
}

async function derive(host: DockerHost, base: BuilderImage, target: Target, steps: DerivedImageRequest['steps'], prepare: PrepareOptions): Promise<string> {
  const request: DerivedImageRequest = { base: { reference: base.reference, id: base.id }, targetId: target.id, platform: target.platform, steps };
  const image = await ensureDerivedImage(host.client, request, { ...prepare, network: host.network });
  return `${image.reference}@${image.id}`;
}

/**
 * The compile's image: the builder image when the recipe needs nothing
 * privileged, else its derived image.
 *
 * @throws HostError when the recipe needs a package manager the image lacks.
 */
export async function compileImage(
  host: DockerHost,
  base: BuilderImage,
  target: Target,
  recipe: EffectiveRecipe,
  prepare: Omit<PrepareOptions, 'network'>,
): Promise<PreparedImage & { plan: RecipePlan }> {
  const { plan, facts, recipe: withRuntime } = compilePlan(recipe, base, target);
  if (plan.steps.length === 0) return { reference: base.reference, plan };
  const derived = await derive(host, base, target, plan.steps.map((s) => ({ argv: s.argv, env: s.env })), { ...prepare, network: host.network });
  const manager = facts.packageManager;
  const packages = manager === 'none' ? [] : [...packagesFor(withRuntime, manager)];
  return { reference: derived.slice(0, derived.lastIndexOf('@')), derived, plan, ...(packages.length > 0 && manager !== 'none' ? { packages: { manager, packages } } : {}) };
}

/** The runtime packages the recipe lists for the image's package manager (none on an image without one). */
export function runtimePackagesFor(recipe: EffectiveRecipe, base: BuilderImage, target: Target): SystemPackageSet | undefined {
  const manager = imageFacts(base.reference, base.source, target).packageManager;
  if (manager === 'none') return undefined;
  const packages = manager === 'yum' && recipe.runtimePackages.yum.length === 0 ? recipe.runtimePackages.dnf : recipe.runtimePackages[manager];
  return packages.length > 0 ? { manager, packages: [...packages] } : undefined;
}

/** The smoke test's image: a clean builder image, plus the recipe's runtime packages when it has some. */
export async function smokeImage(
  host: DockerHost,
  base: BuilderImage,
  target: Target,
  recipe: EffectiveRecipe,
  prepare: Omit<PrepareOptions, 'network'>,
): Promise<PreparedImage> {
  const runtime = runtimePackagesFor(recipe, base, target);
  if (runtime === undefined) {
    const wanted = (['apk', 'apt', 'dnf', 'yum'] as const).filter((m) => recipe.runtimePackages[m].length > 0);
    if (wanted.length > 0) {
      throw new HostError(`the recipe lists runtime packages (${wanted.join(', ')}) but the builder image ${base.reference} has no package manager`, {
        hint: 'use an image with a package manager for this target, or vendor the library instead',
      });
    }
    return { reference: base.reference };
  }
  const steps = installCommands(runtime.manager as PackageManager, runtime.packages);
  const derived = await derive(host, base, target, steps, { ...prepare, network: host.network });
  return { reference: derived.slice(0, derived.lastIndexOf('@')), derived, packages: runtime };
}

/** The glibc target that runs natively on the host: its builder image is the tool image's base. */
export function nativeGlibcTarget(host: Pick<DockerHost, 'native' | 'name'>): Target {
  const found = [...TARGETS.values()].find((t) => t.libc === 'glibc' && host.native.includes(t.platform));
  if (found === undefined) {
    throw new HostError(`Docker host ${host.name} runs no glibc target natively: farm needs one for its tool image (patchelf)`);
  }
  return found;
}

/**
 * The tool image for vendoring on `host`: its native glibc builder image plus
 * patchelf (official manylinux images ship patchelf with auditwheel already).
 */
export async function toolImage(
  host: DockerHost,
  images: BuilderImages,
  python: string,
  prepare: Omit<PrepareOptions, 'network'>,
): Promise<{ reference: string; target: Target }> {
  const target = nativeGlibcTarget(host);
  const base = await images.get(host.client, host.name, target.id, python);
  if (base.source === 'official') return { reference: base.reference, target };
  const manager = imageFacts(base.reference, base.source, target).packageManager;
  if (manager === 'none') throw new HostError(`the tool image's base ${base.reference} has no package manager to install patchelf`);
  const derived = await derive(host, base, target, installCommands(manager, ['patchelf']), { ...prepare, network: host.network });
  return { reference: derived.slice(0, derived.lastIndexOf('@')), target };
}
