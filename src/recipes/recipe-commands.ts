import { RecipeNotApplicableError } from '../errors.js';
import type { Target } from '../targets/catalog.js';
import type { EffectiveRecipe } from './effective-recipe.js';
import { PACKAGE_MANAGERS, type PackageManager } from './recipe-schema.js';

/** What farm found out about a builder image (by inspecting it once per image). */
export interface ImageFacts {
  /** The package manager on the image's PATH, or `none`. */
  readonly packageManager: PackageManager | 'none';
  /** The build user is root. Build containers normally run as uid 1000, so usually false. */
  readonly root: boolean;
  /** `sudo -n` works for the build user. Only consulted when `root` is false. */
  readonly sudo?: boolean;
}

/** How a Rust toolchain gets into the build container. */
export type RustInstallMethod = 'package-manager' | 'rustup';

export interface RecipePlanOptions {
  /** Default `package-manager` (works offline against a distribution mirror). */
  readonly rust?: RustInstallMethod;
  /** Needed for `rustup`: picks the host triple. */
  readonly target?: Pick<Target, 'arch' | 'libc'>;
}

/** One command to run in the build container before `pip wheel`. Always an argv list. */
export interface SetupStep {
  /** Which part of the recipe asked for it. `rust` steps are the same for every recipe on a target (cacheable). */
  readonly purpose: 'rust' | 'packages' | 'before';
  readonly argv: readonly string[];
  /**
   * The executor must run it as uid 0 (Docker exec/container `User: '0'`).
   * False when the build user is root already or the argv goes through `sudo -n`.
   */
  readonly asRoot: boolean;
  /** Extra environment for this step only. */
  readonly env: Readonly<Record<string, string>>;
}

/** Everything the executor does for a recipe: setup steps, then `pip wheel` with `env`. */
export interface RecipePlan {
  readonly steps: readonly SetupStep[];
  /** Environment of the `before` steps and the build. */
  readonly env: Readonly<Record<string, string>>;
  /** Directories to put in front of the image's PATH for the build. */
  readonly pathPrepend: readonly string[];
  /** Extra build requirements; the pipeline installs them into the build environment. */
  readonly buildRequires: readonly string[];
  /** Things that will probably make the build fail, for the build log. */
  readonly warnings: readonly string[];
}

/** Where `rustup` puts the toolchain: outside $HOME so any build user can run it. */
export const RUSTUP_HOME = '/opt/rust/rustup';
export const RUST_CARGO_HOME = '/opt/rust/cargo';

const RUST_PACKAGE = 'cargo'; // pulls rustc/rust in apk, apt, dnf and yum alike

/** The argv lists that install `packages` with `pm`, refreshing metadata where the manager needs it. */
export function installCommands(pm: PackageManager, packages: readonly string[]): { argv: string[]; env: Record<string, string> }[] {
  if (packages.length === 0) return [];
  switch (pm) {
    case 'apk':
      return [{ argv: ['apk', 'add', '--no-cache', ...packages], env: {} }];
    case 'apt': {
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      return [
        { argv: ['apt-get', 'update'], env },
        { argv: ['apt-get', 'install', '-y', '--no-install-recommends', ...packages], env },
      ];
    }
    case 'dnf':
      return [{ argv: ['dnf', 'install', '-y', ...packages], env: {} }];
    case 'yum':
      return [{ argv: ['yum', 'install', '-y', ...packages], env: {} }];
  }
}

/** The recipe's packages for `pm`. `yum` falls back to the `dnf` list: same RPM names. */
export function packagesFor(recipe: EffectiveRecipe, pm: PackageManager): readonly string[] {
  if (pm === 'yum' && recipe.packages.yum.length === 0) return recipe.packages.dnf;
  return recipe.packages[pm];
}

/** rustup's host triple for a target. */
export function rustTriple(target: Pick<Target, 'arch' | 'libc'>): string {
  const env = target.libc === 'musl' ? 'musl' : 'gnu';
  if (target.arch === 'armv7l') return `armv7-unknown-linux-${env}eabihf`;
  return `${target.arch}-unknown-linux-${env}`;
}

/**
 * Turns an effective recipe into the steps to run inside the build container
 * before `pip wheel`, given what the image is. Order: Rust toolchain, system
 * packages, `before` commands. Privileged steps go through `sudo -n` when the
 * image offers it, else are marked `asRoot` for the executor.
 *
 * @throws RecipeNotApplicableError (a `HostError`) when the recipe needs
 *   system packages or Rust from a package manager and the image has none.
 */
export function recipePlan(recipe: EffectiveRecipe, facts: ImageFacts, options: RecipePlanOptions = {}): RecipePlan {
  const steps: SetupStep[] = [];
  const warnings: string[] = [];
  const pathPrepend: string[] = [];
  const env: Record<string, string> = { ...recipe.env };
  const privileged = (purpose: SetupStep['purpose'], argv: readonly string[], stepEnv: Record<string, string>): SetupStep => {
    if (facts.root) return { purpose, argv, asRoot: false, env: stepEnv };
    if (facts.sudo === true) {
      // sudo resets the environment; pass step variables on its command line instead.
      const assignments = Object.entries(stepEnv).map(([k, v]) => `${k}=${v}`);
      return { purpose, argv: ['sudo', '-n', ...assignments, '--', ...argv], asRoot: false, env: {} };
    }
    return { purpose, argv, asRoot: true, env: stepEnv };
  };
  const pm = facts.packageManager;
  const needPm = (what: string): PackageManager => {
    if (pm === 'none') {
      throw new RecipeNotApplicableError(`the builder image has no package manager farm knows (${PACKAGE_MANAGERS.join(', ')}), but ${what}`, {
        hint: 'use an official or bootstrap builder image, or remove the need from the recipe',
      });
    }
    return pm;
  };

  if (recipe.rust) {
    if ((options.rust ?? 'package-manager') === 'package-manager') {
      for (const c of installCommands(needPm('the recipe needs Rust'), [RUST_PACKAGE])) {
        steps.push(privileged('rust', c.argv, c.env));
      }
    } else {
      if (options.target === undefined) throw new TypeError('recipePlan: rustup needs options.target');
      const rustEnv = { RUSTUP_HOME, CARGO_HOME: RUST_CARGO_HOME };
      const init = '/tmp/rustup-init';
      const url = `https://static.rust-lang.org/rustup/dist/${rustTriple(options.target)}/rustup-init`;
      steps.push(privileged('rust', ['curl', '--proto', '=https', '--tlsv1.2', '-sSfL', '-o', init, url], {}));
      steps.push(privileged('rust', ['chmod', '0755', init], {}));
      steps.push(privileged('rust', [init, '-y', '--no-modify-path', '--profile', 'minimal'], rustEnv));
      env['RUSTUP_HOME'] = RUSTUP_HOME;
      pathPrepend.push(`${RUST_CARGO_HOME}/bin`);
    }
  }

  const wanted = pm === 'none' ? [] : packagesFor(recipe, pm);
  if (wanted.length > 0) {
    for (const c of installCommands(pm as PackageManager, wanted)) steps.push(privileged('packages', c.argv, c.env));
  } else {
    const elsewhere = PACKAGE_MANAGERS.filter((m) => recipe.packages[m].length > 0);
    if (elsewhere.length > 0) {
      if (pm === 'none') needPm(`the recipe lists packages for ${elsewhere.join(', ')}`);
      warnings.push(
        `the recipe lists system packages for ${elsewhere.join(', ')} but none for ${pm}, the image's package manager`,
      );
    }
  }

  for (const argv of recipe.before) steps.push(privileged('before', argv, env));

  return { steps, env, pathPrepend, buildRequires: recipe.buildRequires, warnings };
}
