import type { Target } from './catalog.js';

/** manylinux2014/2010/1 are PEP 599/571/513 names for manylinux_2_17/2_12/2_5 (PEP 600). */
const LEGACY_MANYLINUX: ReadonlyArray<{ minor: number; name: string; arches: readonly string[] }> = [
  {
    minor: 17,
    name: 'manylinux2014',
    arches: ['x86_64', 'i686', 'aarch64', 'armv7l', 'ppc64', 'ppc64le', 's390x'],
  },
  { minor: 12, name: 'manylinux2010', arches: ['x86_64', 'i686'] },
  { minor: 5, name: 'manylinux1', arches: ['x86_64', 'i686'] },
];

/**
 * The wheel platform tags a target installs, most preferred first, the way
 * pip's `packaging.tags` orders them: manylinux_2_N (PEP 600) from the
 * target's glibc down to the oldest defined for the arch, each legacy alias
 * right after its PEP 600 twin; or musllinux_1_N (PEP 656) down to 1_0; then
 * `linux_<arch>`.
 */
export function platformTags(target: Pick<Target, 'libc' | 'arch' | 'libcVersion'>): string[] {
  const [major, maxMinor] = target.libcVersion;
  const tags: string[] = [];
  if (target.libc === 'glibc') {
    // packaging: glibc older than 2.17 only ever had manylinux wheels on x86 (i686 is not a farm target).
    const oldest = target.arch === 'x86_64' ? 5 : 17;
    for (let minor = maxMinor; minor >= oldest; minor--) {
      tags.push(`manylinux_${major}_${minor}_${target.arch}`);
      const legacy = LEGACY_MANYLINUX.find((l) => l.minor === minor && l.arches.includes(target.arch));
      if (legacy !== undefined) tags.push(`${legacy.name}_${target.arch}`);
    }
  } else {
    for (let minor = maxMinor; minor >= 0; minor--) tags.push(`musllinux_${major}_${minor}_${target.arch}`);
  }
  tags.push(`linux_${target.arch}`);
  return tags;
}
