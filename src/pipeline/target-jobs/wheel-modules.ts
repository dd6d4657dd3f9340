/**
 * Which modules the smoke test imports: the recipe's `importNames` when it
 * has them, else the top-level modules and packages found in the wheel.
 * Pure: works on the wheel's list of entry names.
 */

const EXTENSION = /^([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z0-9_-]+)*\.(so|pyd)$/;
const SOURCE = /^([A-Za-z_][A-Za-z0-9_]*)\.py$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Top-level importable names of a wheel, sorted. Packages (directories with
 * an `__init__.py`, or namespace directories holding modules), single-file
 * modules and extension modules at the root count; `.dist-info`, `.data`
 * and private test helpers (`_`-prefixed names other than extensions) do not.
 */
export function topLevelModules(entries: readonly string[]): string[] {
  const found = new Set<string>();
  for (const entry of entries) {
    const parts = entry.split('/');
    const head = parts[0]!;
    if (head.endsWith('.dist-info') || head.endsWith('.data')) continue;
    if (parts.length === 1) {
      const ext = EXTENSION.exec(head);
      if (ext !== null) {
        found.add(ext[1]!);
        continue;
      }
      const src = SOURCE.exec(head);
      if (src !== null && !head.startsWith('_')) found.add(src[1]!);
      continue;
    }
    if (!IDENTIFIER.test(head) || head === '__pycache__') continue;
    const last = parts[parts.length - 1]!;
    if (last.endsWith('.py') || EXTENSION.test(last)) found.add(head);
  }
  return [...found].sort();
}

/** The modules to import: the recipe's names win; else what the wheel holds. */
export function smokeModules(importNames: readonly string[], wheelEntries: readonly string[]): string[] {
  return importNames.length > 0 ? [...importNames] : topLevelModules(wheelEntries);
}
