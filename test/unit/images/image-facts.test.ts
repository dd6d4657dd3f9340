import { describe, expect, it } from 'vitest';
import { imageFacts } from '../../../src/images/image-facts.js';

describe('imageFacts', () => {
  it.each([
    ['farm/builder-glibc-armv7:bootstrap-py3.11', 'bootstrap', 'glibc', 'apt'],
    ['farm/builder-musl-x86_64:bootstrap-py3.11', 'bootstrap', 'musl', 'none'],
    ['quay.io/pypa/manylinux_2_28_x86_64', 'official', 'glibc', 'dnf'],
    ['quay.io/pypa/manylinux2014_x86_64', 'official', 'glibc', 'yum'],
    ['quay.io/pypa/manylinux_2_31_armv7l', 'official', 'glibc', 'apt'],
    ['quay.io/pypa/musllinux_1_2_aarch64', 'official', 'musl', 'apk'],
    ['registry.local/python:3.11-alpine', 'configured', 'musl', 'apk'],
    ['registry.local/custom-builder:1', 'configured', 'glibc', 'none'],
  ] as const)('%s (%s) → %s', (reference, source, libc, manager) => {
    expect(imageFacts(reference, source, { libc })).toEqual({ packageManager: manager, root: false, sudo: false });
  });
});
