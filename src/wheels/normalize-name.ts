/**
 * Project-name rules shared by every part of farm that keys things by project:
 * the index (PEP 503 URLs), recipes (`recipes/<normalized-name>.yaml`), the
 * repository inventory and the build cache.
 */

/** PEP 508's name grammar: letters/digits at both ends, `-_.` allowed inside. */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/**
 * PEP 503 normalisation: runs of `-`, `_` and `.` become one `-`, then
 * lower-case. `Foo.Bar__baz` → `foo-bar-baz`. Two names refer to the same
 * project exactly when their normalised forms are equal.
 */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** True when `name` is a syntactically valid project name (PEP 508). */
export function isValidProjectName(name: string): boolean {
  return VALID_NAME.test(name);
}
