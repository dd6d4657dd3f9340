import { describe, expect, it } from 'vitest';
import { servingWheel, type InventoryWheel } from '../../../src/repository/serving-wheel.js';
import { TARGETS } from '../../../src/targets/catalog.js';

const x86 = TARGETS.get('glibc-x86_64')!;
const wanted = { name: 'demo', version: '1.0', recipeHash: 'sha256:r1' };
const wheel = (filename: string, recipeHash?: string): InventoryWheel => ({ filename, ...(recipeHash !== undefined ? { recipeHash } : {}) });

describe('servingWheel', () => {
  it.each<{ name: string; wheels: InventoryWheel[]; expected: string | undefined }>([
    { name: 'nothing published', wheels: [], expected: undefined },
    { name: 'a pure wheel serves every target', wheels: [wheel('demo-1.0-py3-none-any.whl')], expected: 'demo-1.0-py3-none-any.whl' },
    { name: 'PEP 440 equal versions match', wheels: [wheel('demo-1.0.0-py3-none-any.whl')], expected: 'demo-1.0.0-py3-none-any.whl' },
    { name: 'another version does not', wheels: [wheel('demo-1.1-py3-none-any.whl')], expected: undefined },
    { name: 'another project does not', wheels: [wheel('demos-1.0-py3-none-any.whl')], expected: undefined },
    { name: 'a wheel for another architecture does not', wheels: [wheel('demo-1.0-cp311-cp311-manylinux_2_17_aarch64.whl')], expected: undefined },
    { name: 'built with another recipe: not served', wheels: [wheel('demo-1.0-py3-none-any.whl', 'sha256:old')], expected: undefined },
    { name: 'built with this recipe: served', wheels: [wheel('demo-1.0-py3-none-any.whl', 'sha256:r1')], expected: 'demo-1.0-py3-none-any.whl' },
    {
      name: 'the best tag wins, then the highest build tag',
      wheels: [
        wheel('demo-1.0-py3-none-any.whl'),
        wheel('demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'sha256:r1'),
        wheel('demo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl', 'sha256:r1'),
      ],
      expected: 'demo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl',
    },
    { name: 'files that are not wheels are ignored', wheels: [wheel('demo-1.0.tar.gz')], expected: undefined },
  ])('$name', ({ wheels, expected }) => {
    expect(servingWheel(wheels, wanted, x86, '3.11')).toBe(expected);
  });
});
