import { describe, expect, it } from 'vitest';
import { parseWheelFilename } from '../../../src/wheels/wheel-filename.js';
import { canonicalWheelFilename, sameWheelIdentity } from '../../../src/wheels/wheel-identity.js';

const w = parseWheelFilename;

// Issue 14, point 1: identity by meaning, not spelling.
describe('sameWheelIdentity', () => {
  it.each([
    ['good-1.0-py3-none-any.whl', 'Good-1.0-py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'GOOD-01.0-py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'good-1.0.0-py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'good-1.0-py3-none-any.py3.whl', true],
    ['good-1.0-py3-none-any.whl', 'good-1.0-py3.py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'good-1.0-py2.py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'goods-1.0-py3-none-any.whl', false],
    ['good-1.0-py3-none-any.whl', 'good-1.0-1-py3-none-any.whl', false],
    ['good-1.0-1-py3-none-any.whl', 'good-1.0-01-py3-none-any.whl', true],
    ['good-1.0-py3-none-any.whl', 'good-1.0.1-py3-none-any.whl', false],
    ['good-1.0-py3-none-any.whl', 'good-1.0-py2-none-any.whl', false],
    ['n-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'n-1.0-cp311-cp311-musllinux_1_1_x86_64.whl', false],
    ['My.Pkg-1.0-py3-none-any.whl', 'my_pkg-1.0-py3-none-any.whl', true],
  ])('%s vs %s → %s', (a, b, same) => {
    expect(sameWheelIdentity(w(a), w(b))).toBe(same);
    expect(sameWheelIdentity(w(b), w(a))).toBe(same);
  });
});

describe('canonicalWheelFilename', () => {
  it.each([
    ['Good-1.0-py3-none-any.whl', 'good-1.0-py3-none-any.whl'],
    ['GOOD-01.0-py3-none-any.whl', 'good-1.0-py3-none-any.whl'],
    ['My.Pkg-1.0-py3-none-any.whl', 'my_pkg-1.0-py3-none-any.whl'],
    ['Foo-1.0-PY3-NONE-ANY.whl', 'foo-1.0-py3-none-any.whl'],
    ['foo-1.0-py3.py3-none-any.whl', 'foo-1.0-py3-none-any.whl'],
    ['foo-1.0.0.RC1-py3-none-any.whl', 'foo-1.0.0rc1-py3-none-any.whl'],
    ['foo-1.0-007x-py3-none-any.whl', 'foo-1.0-7x-py3-none-any.whl'],
    ['MarkupSafe-2.1.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'markupsafe-2.1.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalWheelFilename(w(input))).toBe(canonical);
  });

  it('keeps a spelling the repository already uses for an equal version', () => {
    expect(canonicalWheelFilename(w('good-1.0.0-py2-none-any.whl'), '1.0')).toBe('good-1.0-py2-none-any.whl');
  });
});
