import { describe, expect, it } from 'vitest';
import { buildLogPath, mirrorLogPath, resolveLogPath } from '../../../../src/pipeline/contract/log-paths.js';

describe('log paths', () => {
  it('are by request, package and target', () => {
    expect(buildLogPath('/s', 'r1', 'farmfix-a', 'glibc-armv7', '3.11')).toBe('/s/logs/r1/farmfix-a/glibc-armv7-py3.11.log');
    expect(resolveLogPath('/s', 'r1', 'musl-x86_64', '3.12')).toBe('/s/logs/r1/_resolve/musl-x86_64-py3.12.log');
    expect(mirrorLogPath('/s', 'r1', 'six', 'glibc')).toBe('/s/logs/r1/six/mirror-glibc.log');
  });

  it.each([['../etc'], ['a/b'], [''], ['x\0y'], ['.hidden']])('refuse unsafe parts: %j', (bad) => {
    expect(() => buildLogPath('/s', bad, 'n', 't', '3.11')).toThrow(TypeError);
    expect(() => buildLogPath('/s', 'r', bad, 't', '3.11')).toThrow(TypeError);
  });
});
