import { describe, expect, it } from 'vitest';
import { externalLibraries } from '../../../src/targets/base-system.js';

/** The same matching the build driver does (fnmatch with `*` only). */
const matches = (patterns: readonly string[], name: string) =>
  patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name));

describe('externalLibraries: the explicit rule for what is not vendored', () => {
  it.each([
    ['glibc', 'libc.so.6', true],
    ['glibc', 'libm.so.6', true],
    ['glibc', 'ld-linux-armhf.so.3', true],
    ['glibc', 'ld-linux-x86-64.so.2', true],
    ['glibc', 'linux-vdso.so.1', true],
    ['glibc', 'libpthread.so.0', true],
    ['glibc', 'libgcc_s.so.1', true],
    ['glibc', 'libstdc++.so.6', true],
    ['glibc', 'libpython3.11.so.1.0', true],
    ['glibc', 'libjpeg.so.62', false],
    ['glibc', 'libffi.so.8', false],
    ['glibc', 'libz.so.1', false],
    ['glibc', 'libcrypt.so.1', false],
    ['musl', 'libc.musl-x86_64.so.1', true],
    ['musl', 'ld-musl-armhf.so.1', true],
    ['musl', 'libgcc_s.so.1', false],
    ['musl', 'libstdc++.so.6', false],
    ['musl', 'libc.so.6', false],
  ] as const)('%s: %s external: %s', (libc, name, external) => {
    expect(matches(externalLibraries(libc), name)).toBe(external);
  });
});
