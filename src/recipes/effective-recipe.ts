import { createHash } from 'node:crypto';
import { satisfies, valid as validVersion } from '@renovatebot/pep440';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { PACKAGE_MANAGERS, type PackageManager, type Recipe, type RecipeOverride } from './recipe-schema.js';

const Names = z.array(z.string());

/**
 * What a recipe means for one target and one project version, after every
 * matching override is applied. Plain JSON: it travels in build job data
 * (validated with this schema when read back) and `farm recipes show`
 * prints it as is.
 */
export const EffectiveRecipe = z.strictObject({
  /** System packages per package manager: sorted, without duplicates. */
  packages: z.strictObject({ apk: Names, apt: Names, dnf: Names, yum: Names } satisfies Record<PackageManager, typeof Names>),
  env: z.record(z.string(), z.string()),
  before: z.array(Names),
  /** Sorted, without duplicates. */
  buildRequires: Names,
  rust: z.boolean(),
  /** Empty: the smoke test derives the module from the project name. */
  importNames: Names,
  skip: z.strictObject({ reason: z.string() }).nullable(),
  /**
   * Present (false) only when the recipe turns farm's native cross compiler
   * off; absent otherwise, so recipes without the key keep their hash.
   */
  crossCompile: z.literal(false).optional(),
  /** Runtime system packages per package manager (not vendored): sorted, without duplicates. */
  runtimePackages: z.strictObject({ apk: Names, apt: Names, dnf: Names, yum: Names } satisfies Record<PackageManager, typeof Names>),
  /** The compile may reach the network (default false: `--network none`). */
  network: z.boolean(),
  /** Why, when `network`. */
  networkReason: z.string().nullable(),
});
export type EffectiveRecipe = z.infer<typeof EffectiveRecipe>;

/** What a project without a recipe file gets. */
export const EMPTY_RECIPE: EffectiveRecipe = Object.freeze({
  packages: { apk: [], apt: [], dnf: [], yum: [] },
  env: {},
  before: [],
  buildRequires: [],
  rust: false,
  importNames: [],
  skip: null,
  runtimePackages: { apk: [], apt: [], dnf: [], yum: [] },
  network: false,
  networkReason: null,
});

const union = (a: readonly string[], b: readonly string[] | undefined): string[] =>
  [...new Set([...a, ...(b ?? [])])].sort();

/** Whether an override applies to `targetId` and `version` (absent selectors match everything). */
export function overrideMatches(override: RecipeOverride, targetId: string, version: string): boolean {
  if (override.targets !== undefined && !override.targets.includes(targetId)) return false;
  // Pre-releases count: an override for `>=2` is meant for 2.1rc1 as well.
  if (override.versions !== undefined && !satisfies(version, override.versions, { prereleases: true })) return false;
  return true;
}

/**
 * Layers a recipe's matching overrides, in file order, over its base for one
 * target and version. Merge rules (documented in recipes/README.md):
 *
 * - sets merge: `packages.<manager>` and `buildRequires` are unions;
 * - `env` merges key by key, the later value winning;
 * - sets merge: `runtimePackages.<manager>` too;
 * - sequences and scalars are replaced: `before`, `importNames`, `rust`,
 *   `crossCompile`, `network` with `networkReason`, `skip` (an override's
 *   `skip: null` cancels an earlier skip).
 *
 * Pass `undefined` for a project without a recipe.
 *
 * @throws UsageError when `version` is not a PEP 440 version.
 */
export function effectiveRecipe(recipe: Recipe | undefined, targetId: string, version: string): EffectiveRecipe {
  if (validVersion(version) === null) {
    throw new UsageError(`bad version '${version}': not a PEP 440 version`);
  }
  if (recipe === undefined) return EMPTY_RECIPE;
  const layers = [recipe, ...recipe.overrides.filter((o) => overrideMatches(o, targetId, version))];
  let packages: Record<PackageManager, string[]> = { apk: [], apt: [], dnf: [], yum: [] };
  let env: Record<string, string> = {};
  let before: string[][] = [];
  let buildRequires: string[] = [];
  let rust = false;
  let importNames: string[] = [];
  let skip: { reason: string } | null = null;
  let crossCompile: boolean | undefined;
  let runtimePackages: Record<PackageManager, string[]> = { apk: [], apt: [], dnf: [], yum: [] };
  let network = false;
  let networkReason: string | null = null;
  for (const layer of layers) {
    const next = { ...packages };
    const nextRuntime = { ...runtimePackages };
    for (const pm of PACKAGE_MANAGERS) {
      next[pm] = union(packages[pm], layer.packages?.[pm]);
      nextRuntime[pm] = union(runtimePackages[pm], layer.runtimePackages?.[pm]);
    }
    packages = next;
    runtimePackages = nextRuntime;
    if (layer.network !== undefined) {
      network = layer.network;
      networkReason = layer.network ? (layer.networkReason ?? null) : null;
    }
    env = { ...env, ...layer.env };
    if (layer.before !== undefined) before = layer.before.map((argv) => [...argv]);
    buildRequires = union(buildRequires, layer.buildRequires);
    if (layer.rust !== undefined) rust = layer.rust;
    if (layer.importNames !== undefined) importNames = [...layer.importNames];
    if (layer.skip !== undefined) skip = layer.skip === null ? null : { reason: layer.skip.reason };
    if (layer.crossCompile !== undefined) crossCompile = layer.crossCompile;
  }
  return {
    packages,
    env: sortKeys(env),
    before,
    buildRequires,
    rust,
    importNames,
    skip,
    ...(crossCompile === false ? { crossCompile: false as const } : {}),
    runtimePackages,
    network,
    networkReason,
  };
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** JSON with object keys sorted at every level, so equal values serialise identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `sha256:<hex>` of the effective recipe's canonical JSON. Part of a build's
 * cache key: it changes exactly when what farm does for that build changes,
 * and a project without a recipe always hashes like `EMPTY_RECIPE`.
 * Target and version are not hashed; they are already in the key.
 */
export function recipeHash(effective: EffectiveRecipe): string {
  return `sha256:${createHash('sha256').update('farm-recipe/1\0').update(canonicalJson(hashedFields(effective))).digest('hex')}`;
}

/**
 * Keys added after the first release count only when set: a recipe that does
 * not use them hashes as before, so wheels already built with it stay cached.
 */
function hashedFields(effective: EffectiveRecipe): Record<string, unknown> {
  const { runtimePackages, network, networkReason, ...rest } = effective;
  const anyRuntime = PACKAGE_MANAGERS.some((pm) => runtimePackages[pm].length > 0);
  return {
    ...rest,
    ...(anyRuntime ? { runtimePackages } : {}),
    ...(network ? { network, networkReason } : {}),
  };
}
