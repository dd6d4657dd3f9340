import { UsageError } from '../errors.js';
import type { Target } from '../targets/catalog.js';
import { platformTags } from '../targets/platform-tags.js';

type TagTarget = Pick<Target, 'libc' | 'arch' | 'libcVersion'>;

const cache = new Map<string, readonly string[]>();

/** `3.11` → `[3, 11]`; a usage error otherwise (versions come from config and flags). */
export function parsePythonVersion(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  if (m === null) throw new UsageError(`bad Python version '${version}': expected a version like "3.11"`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * The `python-abi-platform` tags a CPython `pythonVersion` on `target`
 * installs, best first, in the order `packaging.tags.sys_tags()` yields them
 * (what pip uses to pick among wheels):
 *
 * 1. cpython_tags: `cpXY-cpXY-<plat>`, `cpXY-abi3-<plat>`, `cpXY-none-<plat>`,
 *    then `cpXW-abi3-<plat>` for every older minor W down to 2 (abi3 appeared in 3.2);
 * 2. compatible_tags: `pyXY-none-<plat>`, `pyX-none-<plat>`, `pyXW-none-<plat>`
 *    for W down to 0; then `cpXY-none-any`; then `pyXY-none-any`, `pyX-none-any`,
 *    `pyXW-none-any`.
 *
 * Within each group every platform tag of `platformTags(target)` is tried in
 * order. Only GIL-enabled, non-debug CPython is modelled: that is what farm's
 * builder images run. The result is cached and must not be mutated.
 */
export function supportedTags(target: TagTarget, pythonVersion: string): readonly string[] {
  const key = `${target.libc}/${target.arch}/${target.libcVersion.join('.')}/${pythonVersion}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;

  const [major, minor] = parsePythonVersion(pythonVersion);
  const platforms = platformTags(target);
  const cp = `cp${major}${minor}`;
  const tags: string[] = [];

  for (const p of platforms) tags.push(`${cp}-${cp}-${p}`);
  const abi3 = major === 3 && minor >= 2;
  if (abi3) for (const p of platforms) tags.push(`${cp}-abi3-${p}`);
  for (const p of platforms) tags.push(`${cp}-none-${p}`);
  if (abi3) {
    for (let older = minor - 1; older >= 2; older--) {
      for (const p of platforms) tags.push(`cp${major}${older}-abi3-${p}`);
    }
  }

  const pyRange = [`py${major}${minor}`, `py${major}`];
  for (let older = minor - 1; older >= 0; older--) pyRange.push(`py${major}${older}`);
  for (const py of pyRange) for (const p of platforms) tags.push(`${py}-none-${p}`);
  tags.push(`${cp}-none-any`);
  for (const py of pyRange) tags.push(`${py}-none-any`);

  const frozen = Object.freeze(tags);
  cache.set(key, frozen);
  return frozen;
}
