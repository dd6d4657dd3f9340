import { describe, expect, it } from 'vitest';
import { WheelRejectedError } from '../../../src/errors.js';
import { checkWheelName } from '../../../src/repository/check-wheel-name.js';

describe('checkWheelName', () => {
  const rejected: [string, string, RegExp][] = [
    ['parent traversal', '../foo-1.0-py3-none-any.whl', /path separator/],
    ['deep traversal', '../../etc/foo-1.0-py3-none-any.whl', /path separator/],
    ['absolute path', '/etc/foo-1.0-py3-none-any.whl', /path separator/],
    ['backslash traversal', '..\\foo-1.0-py3-none-any.whl', /path separator/],
    ['NUL byte', 'foo-1.0-py3-none-any.whl\0.txt', /NUL/],
    ['newline', 'foo-1.0-py3-none-any\n.whl', /control/],
    ['dot-dot alone', '..', /parent-directory/],
    ['hidden', '.foo-1.0-py3-none-any.whl', /hidden/],
    ['empty', '', /empty/],
    ['not a wheel', 'foo-1.0.tar.gz', /invalid wheel filename/],
    ['too few parts', 'foo-py3-none-any.whl', /invalid wheel filename/],
    ['bad version', 'foo-notaversion-py3-none-any.whl', /invalid wheel filename/],
    ['too long', `${'a'.repeat(250)}-1.0-py3-none-any.whl`, /longer than 255/],
  ];
  it.each(rejected)('rejects %s', (_name, filename, reason) => {
    let error: unknown;
    try {
      checkWheelName(filename);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WheelRejectedError);
    expect((error as WheelRejectedError).reason).toMatch(reason);
  });

  const accepted: [string, string, string][] = [
    ['simple', 'foo-1.0-py3-none-any.whl', 'foo'],
    ['normalised name', 'Foo_Bar-2.0rc1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'foo-bar'],
    ['build tag', 'foo-1.0-1-py3-none-any.whl', 'foo'],
    ['local version', 'foo-1.0+local-py3-none-any.whl', 'foo'],
  ];
  it.each(accepted)('accepts %s', (_name, filename, project) => {
    expect(checkWheelName(filename).name).toBe(project);
  });
});
