/**
 * What farm assumes every machine of a target has, for making wheels
 * self-contained without auditwheel (recipes/README.md, "Vendored
 * libraries"). One explicit rule, no policy tables: a shared library an
 * extension module loads is *external* (left to the machine) when it is part
 * of the target's C library or one of the few libraries every base image of
 * that libc ships; every other library is copied into the wheel. Pure.
 */
import type { Libc } from './catalog.js';

/**
 * glibc itself: the C library, its loader and the libraries split out of it.
 * (`libcrypt.so.1` is libxcrypt on current distributions, so it is not here.)
 */
const GLIBC = [
  'ld-linux*.so.*',
  'ld64.so.*',
  'linux-vdso.so.*',
  'linux-gate.so.*',
  'libc.so.6',
  'libm.so.6',
  'libmvec.so.1',
  'libdl.so.2',
  'librt.so.1',
  'libpthread.so.0',
  'libutil.so.1',
  'libresolv.so.2',
  'libanl.so.1',
  'libnsl.so.1',
  'libBrokenLocale.so.1',
  'libnss_*.so.2',
] as const;

/**
 * GCC's runtime: on every glibc base image (Debian, Ubuntu, the RHEL family,
 * the manylinux images), because the package manager itself needs it.
 */
const GCC_RUNTIME = ['libgcc_s.so.1', 'libstdc++.so.6'] as const;

/** musl: one library that is also the loader. Alpine's base has no libgcc or libstdc++. */
const MUSL = ['ld-musl-*.so.1', 'libc.musl-*.so.1', 'libc.so'] as const;

/** The interpreter provides libpython to every extension it loads. */
const PYTHON = ['libpython3*.so*'] as const;

/**
 * Shell-style patterns (`*` only) of the library names (`DT_NEEDED`) that
 * stay external on a target of `libc`: the build driver vendors everything
 * else an extension needs, except what the recipe's `runtimePackages` provide.
 */
export function externalLibraries(libc: Libc): readonly string[] {
  return libc === 'glibc' ? [...GLIBC, ...GCC_RUNTIME, ...PYTHON] : [...MUSL, ...PYTHON];
}
