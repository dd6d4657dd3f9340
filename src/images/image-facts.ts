/**
 * What farm assumes about a builder image's package manager, for recipes
 * that install system packages. Pure, from the image reference and source:
 * farm's bootstrap glibc images are Debian (apt), its bootstrap musl image
 * has none, and the PyPA images are AlmaLinux (dnf), CentOS 7 (yum), Ubuntu
 * (armv7l, apt) or Alpine (apk).
 */
import type { ImageFacts } from '../recipes/recipe-commands.js';
import type { Target } from '../targets/catalog.js';

/** Facts for the build user (uid 1000, not root, no sudo). */
export function imageFacts(reference: string, source: 'configured' | 'official' | 'bootstrap', target: Pick<Target, 'libc'>): ImageFacts {
  const base = { root: false, sudo: false } as const;
  const ref = reference.toLowerCase();
  if (source === 'bootstrap') return { ...base, packageManager: target.libc === 'glibc' ? 'apt' : 'none' };
  if (ref.includes('musllinux') || ref.includes('alpine')) return { ...base, packageManager: 'apk' };
  if (ref.includes('manylinux2014') || ref.includes('manylinux_2_17')) return { ...base, packageManager: 'yum' };
  if (/manylinux_2_(2[4-9]|3[4-9])/.test(ref)) return { ...base, packageManager: 'dnf' };
  if (ref.includes('manylinux_2_31') || ref.includes('debian') || ref.includes('ubuntu')) return { ...base, packageManager: 'apt' };
  return { ...base, packageManager: 'none' };
}
