import { describe, expect, it } from 'vitest';
import { slotPriority } from '../../../../src/pipeline/worker/slot-priority.js';

describe('slotPriority', () => {
  it('orders resolutions, then emulated targets, then blocking builds', () => {
    const order = [
      slotPriority({ name: 'resolve', data: {} }, true),
      slotPriority({ name: 'resolve', data: {} }, false),
      slotPriority({ name: 'build', data: { blocking: 0 } }, true),
      slotPriority({ name: 'build', data: { blocking: 3 } }, false),
      slotPriority({ name: 'build', data: { blocking: 1 } }, false),
      slotPriority({ name: 'build', data: {} }, false),
    ];
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });

  it.each([[{ blocking: 1e9 }, 9], [{ blocking: -4 }, 0], [{ blocking: 'x' }, 0], [null, 0]])('clamps %j', (data, expected) => {
    expect(slotPriority({ name: 'build', data }, false)).toBe(expected);
  });
});
