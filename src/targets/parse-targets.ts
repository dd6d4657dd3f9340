import { UsageError } from '../errors.js';
import { TARGETS, type Target } from './catalog.js';

/**
 * Parses a `--targets` value (`musl-x86_64,glibc-armv7`) into catalog entries,
 * in the order given, without duplicates. Unknown ids are a usage error that
 * lists every valid id.
 */
export function parseTargets(
  value: string,
  catalog: ReadonlyMap<string, Target> = TARGETS,
): Target[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) {
    throw new UsageError(`--targets is empty; valid targets: ${[...catalog.keys()].join(', ')}`);
  }
  const unknown = ids.filter((id) => !catalog.has(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown target${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; ` +
        `valid targets: ${[...catalog.keys()].join(', ')}`,
    );
  }
  return [...new Set(ids)].map((id) => catalog.get(id)!);
}

/** Looks up one target id; same error as `parseTargets` for unknown ids. */
export function getTarget(id: string, catalog: ReadonlyMap<string, Target> = TARGETS): Target {
  return parseTargets(id, catalog)[0]!;
}
