import { describe, expect, it } from 'vitest';
import { normalizeVersion, sameVersion } from '../../../src/wheels/version-equality.js';

describe('sameVersion', () => {
  it.each([
    ['1.0', '1.0.0', true],
    ['1.0', '1.0', true],
    ['1.0-1', '1.0.post1', true],
    ['1!1.0', '1.0', false],
    ['1.0+local', '1.0', false],
    ['1.0a1', '1.0', false],
    ['not-a-version', 'not-a-version', true],
    ['not-a-version', '1.0', false],
    ['1.0', 'not-a-version', false],
  ])('%s vs %s: %s', (a, b, same) => {
    expect(sameVersion(a, b)).toBe(same);
    expect(sameVersion(b, a)).toBe(same);
  });
});

describe('normalizeVersion', () => {
  it.each([
    ['1.0', '1.0'],
    ['1.0-1', '1.0.post1'],
    ['1.0+Local', '1.0+local'],
    ['not a version', 'not a version'],
  ])('%s -> %s', (raw, normal) => expect(normalizeVersion(raw)).toBe(normal));
});
