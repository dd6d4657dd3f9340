/**
 * The recipe format: `recipes/<normalized-name>.yaml`, the per-project build
 * knowledge farm applies inside the build container before `pip wheel`.
 * See `recipes/README.md` for the user-facing description.
 */
import { validRange } from '@renovatebot/pep440';
import { z } from 'zod';
import { TARGETS } from '../targets/catalog.js';
import { isValidProjectName } from '../wheels/normalize-name.js';

/** The package managers a recipe can name packages for, as farm detects them in an image. */
export const PACKAGE_MANAGERS = ['apk', 'apt', 'dnf', 'yum'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/**
 * A distribution package name, optionally pinned (`libpq-dev`, `curl-dev=8.5.0-r0`).
 * Never starts with `-`: names end up as argv elements of `apt-get install`,
 * where a leading dash would be read as an option.
 */
const SystemPackage = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9+._:=~<>@-]*$/,
    'expected a package name like "libffi-dev" (letters, digits, "+._:=~<>@-"; no leading "-" or spaces)',
  );

const PackageList = z.array(SystemPackage);

/** System packages per package manager; farm installs the list of the manager the image has. */
export const RecipePackages = z.strictObject({
  /** Alpine (musllinux images, bootstrap musl images). */
  apk: PackageList.optional(),
  /** Debian/Ubuntu (bootstrap glibc images). */
  apt: PackageList.optional(),
  /** RHEL 8+ family (manylinux_2_28 and newer). */
  dnf: PackageList.optional(),
  /** CentOS 7 (manylinux2014). When absent, the `dnf` list is used: the RPM names are the same. */
  yum: PackageList.optional(),
});
export type RecipePackages = z.infer<typeof RecipePackages>;

/** `["make", "install"]`: one command as its argument vector. A shell string is refused with the fix. */
export const Argv = z
  .array(z.string(), {
    error: (issue) =>
      typeof issue.input === 'string' ? 'use an argv list like ["make", "install"], not a shell string' : undefined,
  })
  .min(1, 'a command needs at least a program name')
  .refine((argv) => argv[0] === undefined || !/[\s;&|<>$`]/.test(argv[0]), {
    error: 'the program name contains spaces or shell syntax; use an argv list like ["make", "install"]',
  });
export type Argv = z.infer<typeof Argv>;

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like "CFLAGS"');

/** Names the smoke test imports: dotted Python module paths. */
const ImportName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'expected a module name like "yaml" or "PIL.Image"');

/**
 * A PEP 508 build requirement (`cython>=3`, `setuptools-rust`). Checked here
 * for shape: a valid name, optional extras, then a valid PEP 440 specifier
 * set, a `@ url`, and/or a `;` marker.
 */
const BuildRequirement = z.string().superRefine((text, ctx) => {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[A-Za-z0-9._,\s-]*\])?\s*(.*)$/.exec(text);
  const name = m?.[1];
  if (m === null || name === undefined || !isValidProjectName(name)) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a PEP 508 requirement (expected e.g. "cython>=3")` });
    return;
  }
  const rest = (m[3] ?? '').trim();
  if (rest === '' || rest.startsWith('@') || rest.startsWith(';')) return;
  const specifier = rest.split(';', 1)[0]!.trim().replace(/^\((.*)\)$/, '$1');
  if (!validRange(specifier)) {
    ctx.addIssue({ code: 'custom', message: `'${text}': '${specifier}' is not a PEP 440 version specifier` });
  }
});

/** A target id from the catalog. */
const TargetId = z.string().refine((id) => TARGETS.has(id), {
  error: (issue) => `unknown target '${String(issue.input)}'; valid targets: ${[...TARGETS.keys()].join(', ')}`,
});

/** A PEP 440 specifier set such as `>=6,<7`. */
export const VersionRange = z
  .string()
  .min(1, 'expected a PEP 440 specifier like ">=6,<7"')
  .refine((range) => validRange(range), {
    error: (issue) => `'${String(issue.input)}' is not a PEP 440 specifier (expected e.g. ">=6,<7")`,
  });

/** Why a project is not built; reported as skipped, not failed. */
export const RecipeSkip = z.strictObject({ reason: z.string().min(1, 'say why it is skipped') });
export type RecipeSkip = z.infer<typeof RecipeSkip>;

/** The fields a recipe and each override may set. */
const recipeFields = {
  packages: RecipePackages.optional(),
  /** Environment of the build (`pip wheel`) and of the `before` commands. */
  env: z
    .record(EnvName, z.string(), {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `'${String(issue.input)}' is not an environment variable name (expected e.g. "CFLAGS")`
          : undefined,
    })
    .optional(),
  /** Commands run (with root privileges, after `packages`) before `pip wheel`. */
  before: z
    .array(Argv, {
      error: (issue) =>
        typeof issue.input === 'string'
          ? 'use a list of argv lists like [["make", "install"]], not a shell string'
          : undefined,
    })
    .optional(),
  /** Extra PEP 508 requirements the build needs beyond the project's own. */
  buildRequires: z.array(BuildRequirement).optional(),
  /** Install a Rust toolchain (cargo, rustc) before building. */
  rust: z.boolean().optional(),
  /**
   * `false`: compile ARM builds with the image's own (emulated) compiler
   * even where farm would use its native cross compiler (a package whose
   * build breaks with it). `true` is the default and can't override a host's `false`.
   */
  crossCompile: z.boolean().optional(),
  /** Modules the smoke test imports, when they differ from the project name. */
  importNames: z.array(ImportName).min(1).optional(),
  /**
   * System packages a machine needs to use the wheel: the libraries that
   * must not be vendored into it. The smoke test installs them first, and the
   * index tells users to install them (`apt install …`).
   */
  runtimePackages: RecipePackages.optional(),
  /**
   * Let the compile reach the network (default: off, `--network none`). Only
   * for the rare build that downloads during compilation; needs `networkReason`.
   */
  network: z.boolean().optional(),
  /** Why the build needs the network (shown in the build log and the provenance). */
  networkReason: z.string().trim().min(1, 'say why the build needs the network').optional(),
};

/** `network: true` must say why, in the same layer. */
function requireNetworkReason(layer: { network?: boolean | undefined; networkReason?: string | undefined }, ctx: z.RefinementCtx): void {
  if (layer.network === true && layer.networkReason === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['networkReason'],
      message: 'network: true needs networkReason: say what the build downloads and why it can\'t come from a build requirement',
    });
  }
}

/** Layered over the base recipe when both selectors match (an absent selector matches everything). */
export const RecipeOverride = z
  .strictObject({
    targets: z.array(TargetId).min(1).optional(),
    versions: VersionRange.optional(),
    ...recipeFields,
    /** `null` cancels a skip set by the base recipe or an earlier override. */
    skip: RecipeSkip.nullable().optional(),
  })
  .superRefine(requireNetworkReason);
export type RecipeOverride = z.infer<typeof RecipeOverride>;

/** One recipe file. Every key is optional; an empty file is a valid (no-op) recipe. */
export const Recipe = z
  .strictObject({
    /** The project's display name (e.g. `Pillow`); must normalise to the file name. */
    name: z.string().refine(isValidProjectName, 'expected a project name like "Pillow"').optional(),
    ...recipeFields,
    skip: RecipeSkip.optional(),
    overrides: z.array(RecipeOverride).default([]),
  })
  .superRefine(requireNetworkReason);
export type Recipe = z.infer<typeof Recipe>;
