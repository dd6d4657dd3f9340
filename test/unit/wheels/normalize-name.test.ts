import { describe, expect, it } from 'vitest';
import { isValidProjectName, normalizeName } from '../../../src/wheels/normalize-name.js';

describe('normalizeName (PEP 503)', () => {
  it.each([
    ['friendly-bard', 'friendly-bard'],
    ['Friendly-Bard', 'friendly-bard'],
    ['FRIENDLY-BARD', 'friendly-bard'],
    ['friendly.bard', 'friendly-bard'],
    ['friendly_bard', 'friendly-bard'],
    ['friendly--bard', 'friendly-bard'],
    ['FrIeNdLy-._.-bArD', 'friendly-bard'],
    ['MarkupSafe', 'markupsafe'],
    ['zope.interface', 'zope-interface'],
    ['PyYAML', 'pyyaml'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe('isValidProjectName (PEP 508)', () => {
  it.each([
    ['a', true],
    ['A1', true],
    ['zope.interface', true],
    ['typing_extensions', true],
    ['pyload-ng', true],
    ['', false],
    ['-foo', false],
    ['foo-', false],
    ['.foo', false],
    ['..', false],
    ['foo bar', false],
    ['foo/bar', false],
    ['naïve', false],
  ])('%j → %s', (name, ok) => {
    expect(isValidProjectName(name)).toBe(ok);
  });
});
