import { describe, expect, it } from 'vitest';
import { publishName, type PublishedWheel } from '../../../src/repository/publish-name.js';

const BUILT = 'name-1.0-cp311-cp311-linux_x86_64.whl';
const w = (filename: string, sha256 = 'old'): PublishedWheel => ({ filename, sha256 });

describe('publishName: a rebuild never overwrites, it gets the next build tag', () => {
  it.each([
    ['an empty repository', [], BUILT],
    ['other versions, tags and projects only', [w('name-0.9-cp311-cp311-linux_x86_64.whl'), w('name-1.0-cp312-cp312-linux_x86_64.whl'), w('other-1.0-cp311-cp311-linux_x86_64.whl')], BUILT],
    ['the same name with other bytes', [w(BUILT)], 'name-1.0-1-cp311-cp311-linux_x86_64.whl'],
    ['the same name with these bytes (a no-op)', [w(BUILT, 'new')], BUILT],
    ['earlier rebuilds: one above the highest build tag', [w(BUILT), w('name-1.0-1-cp311-cp311-linux_x86_64.whl'), w('name-1.0-3-cp311-cp311-linux_x86_64.whl')], 'name-1.0-4-cp311-cp311-linux_x86_64.whl'],
    ['these bytes, but shadowed by a higher build tag', [w(BUILT, 'new'), w('name-1.0-1-cp311-cp311-linux_x86_64.whl')], 'name-1.0-2-cp311-cp311-linux_x86_64.whl'],
    ['these bytes as the newest rebuild', [w(BUILT), w('name-1.0-1-cp311-cp311-linux_x86_64.whl', 'new')], 'name-1.0-1-cp311-cp311-linux_x86_64.whl'],
    ['a normalised-equal version, build tag only', [w('name-1.0.0-2-cp311-cp311-linux_x86_64.whl')], 'name-1.0-3-cp311-cp311-linux_x86_64.whl'],
    ['junk in the inventory', [w('junk.txt')], BUILT],
  ])('%s', (_label, existing, expected) => {
    expect(publishName(BUILT, 'new', existing)).toBe(expected);
  });
});
