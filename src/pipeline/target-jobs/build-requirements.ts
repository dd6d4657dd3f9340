/**
 * Build requirements, found per target and Python the way a PEP 517
 * frontend finds them (`resolve.py` does the finding in a container of the
 * target), and the decisions around them: which requirement sets a round of
 * the resolve job must resolve, and which sdists form a cycle of build
 * requirements. Pure: the resolve job runs the rounds.
 */
import { z } from 'zod';
import { normalizeName } from '../../wheels/normalize-name.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A requirement string from an sdist or a recipe, as farm hands it to pip.
 * `resolve.py` already parsed it with `packaging`; this refuses anything that
 * could still read as an option or a path (belt and braces: pip also gets it
 * after `--`).
 */
export const BuildRequirement = z.string().regex(/^[A-Za-z0-9][^\0\n\r]*$/, 'a build requirement starts with a project name');

/** One sdist's build requirements as `resolve.py` found them (`DiscoveredSdist` in the driver). */
export const DiscoveredSdist = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  url: z.string().min(1),
  filename: z.string().min(1),
  sha256: Sha256.nullable(),
  /** `sdists/<filename>` under the output directory, once downloaded. */
  file: z.string().optional(),
  /** `build-system.requires` (PEP 518 defaults when absent). */
  static: z.array(BuildRequirement).optional(),
  backend: z.string().optional(),
  /** `get_requires_for_build_wheel`; null when it could not run before the static requirements exist. */
  hook: z.array(BuildRequirement).nullable().optional(),
  /**
   * Static requirements pip could not install as wheels for the hook's
   * environment, each with its own pip log (under the output directory):
   * read by the host to tell "not built yet" from a failing index.
   */
  unavailable: z.array(z.strictObject({ requirement: z.string().min(1), pipLog: z.string().regex(/^pip-env-[0-9a-f]+-\d+\.log$/) })).optional(),
  note: z.string().optional(),
  error: z.string().optional(),
});
export type DiscoveredSdist = z.infer<typeof DiscoveredSdist>;

/** What `resolve.py` writes to `resolve.json`. */
export const ResolveDriverOutput = z.strictObject({
  resolutions: z.array(
    z.strictObject({
      id: z.string().min(1),
      exitCode: z.int(),
      report: z.string().nullable(),
      isolation: z.boolean(),
      /** pip's debug log of this resolution, under the output directory: read to classify its failure. */
      pipLog: z.string().regex(/^pip-resolve-[\w-]+\.log$/),
    }),
  ),
  sdists: z.array(DiscoveredSdist),
});
export type ResolveDriverOutput = z.infer<typeof ResolveDriverOutput>;

/** `name==version`: how sdists are known across rounds. */
export function sdistKey(name: string, version: string): string {
  return `${normalizeName(name)}==${version}`;
}

/** The full requirement list of a discovered sdist: static, hook and the recipe's, deduplicated and sorted. */
export function buildRequirementsOf(sdist: DiscoveredSdist, recipeRequires: readonly string[]): string[] {
  return [...new Set([...(sdist.static ?? []), ...(sdist.hook ?? []), ...recipeRequires])].sort();
}

/** One requirement set to resolve, and the sdists whose build environment it is. */
export interface RequirementSet {
  /** Stable id for the report file: `b<n>`. */
  readonly id: string;
  readonly requires: readonly string[];
  readonly sdists: readonly string[];
}

/**
 * Groups sdists by identical requirement lists (most projects build with the
 * same few), skipping lists `resolved` already has: each distinct list is
 * resolved once per target and Python.
 */
export function requirementSets(
  lists: ReadonlyMap<string, readonly string[]>,
  resolved: ReadonlySet<string>,
  firstId: number,
): RequirementSet[] {
  const bySet = new Map<string, { requires: readonly string[]; sdists: string[] }>();
  for (const [sdist, requires] of [...lists].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const key = requires.join('\n');
    if (resolved.has(key)) continue;
    const entry = bySet.get(key) ?? { requires, sdists: [] };
    entry.sdists.push(sdist);
    bySet.set(key, entry);
  }
  return [...bySet.values()].map((e, i) => ({ id: `b${firstId + i}`, requires: e.requires, sdists: e.sdists }));
}

/** The key `requirementSets` groups by. */
export function setKey(requires: readonly string[]): string {
  return requires.join('\n');
}

/**
 * Cycles among sdists through their build environments: `a` needs `b` built
 * first when `b` is in `a`'s environment as an sdist. Tarjan's strongly
 * connected components; each cycle is returned as its members in a stable
 * order, starting from the smallest key, following the edges
 * (`['a==1', 'b==2']` means a → b → a). A self-dependency is a cycle of one.
 */
export function buildCycles(envs: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const edges = (node: string) => [...(envs.get(node) ?? [])].filter((n) => envs.has(n)).sort();

  const connect = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges(node)) {
      if (!indexOf.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || edges(node).includes(node)) components.push(component);
    }
  };
  for (const node of [...envs.keys()].sort()) if (!indexOf.has(node)) connect(node);

  return components
    .map((component) => orderCycle(component, edges))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** Walks a component from its smallest member along edges inside it, for a readable `a → b → a`. */
function orderCycle(component: readonly string[], edges: (node: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const order = [start];
  let current = start;
  for (;;) {
    const next = edges(current).find((n) => members.has(n) && !order.includes(n));
    if (next === undefined) break;
    order.push(next);
    current = next;
  }
  // Strongly connected: any members the walk missed are still part of the cycle.
  return [...order, ...[...component].filter((m) => !order.includes(m)).sort()];
}

/** `a 1.0 → b 2.0 → a 1.0`. */
export function describeCycle(cycle: readonly string[]): string {
  const show = (key: string) => key.replace('==', ' ');
  return [...cycle, cycle[0]!].map(show).join(' → ');
}
