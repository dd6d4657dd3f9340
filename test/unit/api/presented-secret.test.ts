import { describe, expect, it } from 'vitest';
import { presentedSecret } from '../../../src/api/auth/presented-secret.js';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('presentedSecret', () => {
  it.each([
    [undefined, undefined],
    ['Bearer farm_abc', 'farm_abc'],
    ['bearer   farm_abc ', 'farm_abc'],
    ['Bearer ', undefined],
    [basic('__token__:farm_abc'), 'farm_abc'],
    [basic('anyone:farm_a:b'), 'farm_a:b'],
    [basic('__token__:'), undefined],
    [basic('no-colon'), undefined],
    ['Digest x', undefined],
    ['farm_abc', undefined],
  ])('%s → %s', (header, secret) => {
    expect(presentedSecret(header)).toBe(secret);
  });
});
