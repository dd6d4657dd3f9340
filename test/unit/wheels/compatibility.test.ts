import { describe, expect, it } from 'vitest';
import { InvalidWheelNameError } from '../../../src/errors.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { isWheelInstallable, selectBestWheel, wheelPriority } from '../../../src/wheels/compatibility.js';
import { parseWheelFilename } from '../../../src/wheels/wheel-filename.js';

const ALL = ['glibc-x86_64', 'glibc-aarch64', 'glibc-armv7', 'musl-x86_64', 'musl-aarch64'] as const;

/** [wheel, python, targets it installs on (every other catalog target must refuse it)]. */
const CASES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  // issue 2's real filenames
  ['cffi-1.16.0-cp311-cp311-musllinux_1_1_x86_64.whl', '3.11', ['musl-x86_64']],
  ['numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', '3.11', ['glibc-aarch64']],
  ['numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl', '3.12', []],
  ['MarkupSafe-2.1.2-cp311-cp311-linux_armv7l.whl', '3.11', ['glibc-armv7']],
  ['MarkupSafe-2.1.2-cp311-cp311-linux_armv7l.whl', '3.12', []],
  // pure wheels install everywhere, for any Python 3
  ['idna-3.6-py3-none-any.whl', '3.11', ALL],
  ['six-1.16.0-py2.py3-none-any.whl', '3.12', ALL],
  ['attrs-23.2.0-py37-none-any.whl', '3.11', ALL],
  ['old-1.0-py2-none-any.whl', '3.11', []],
  ['future-1.0-py312-none-any.whl', '3.11', []],
  ['cpython_only-1.0-cp311-none-any.whl', '3.11', ALL],
  ['cpython_only-1.0-cp311-none-any.whl', '3.12', []],
  // abi3: built once for an older CPython, installs on every newer one
  ['cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl', '3.11', ['glibc-x86_64']],
  ['cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl', '3.12', ['glibc-x86_64']],
  ['cryptography-42.0.5-cp39-abi3-musllinux_1_2_aarch64.whl', '3.12', ['musl-aarch64']],
  ['future_abi3-1.0-cp312-abi3-manylinux_2_17_x86_64.whl', '3.11', []],
  // glibc newer than the target's is refused (x86_64/aarch64 targets are glibc 2.28, armv7 2.31)
  ['new-1.0-cp311-cp311-manylinux_2_31_x86_64.whl', '3.11', []],
  ['new-1.0-cp311-cp311-manylinux_2_31_armv7l.whl', '3.11', ['glibc-armv7']],
  ['new-1.0-cp311-cp311-musllinux_1_3_x86_64.whl', '3.11', []],
  ['legacy-1.0-cp311-cp311-manylinux1_x86_64.whl', '3.11', ['glibc-x86_64']],
  ['legacy-1.0-cp311-cp311-manylinux2010_aarch64.whl', '3.11', []],
  // linux_<arch> wheels are built locally and install on any libc of that arch
  ['local-1.0-cp311-cp311-linux_x86_64.whl', '3.11', ['glibc-x86_64', 'musl-x86_64']],
  // a build tag changes nothing about compatibility
  ['tagged-1.0-7-cp311-cp311-musllinux_1_2_aarch64.whl', '3.11', ['musl-aarch64']],
  // other interpreters / platforms
  ['pypy-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl', '3.11', []],
  ['win-1.0-cp311-cp311-win_amd64.whl', '3.11', []],
];

describe('isWheelInstallable', () => {
  const rows = CASES.flatMap(([wheel, py, ok]) => ALL.map((t) => [wheel, t, py, ok.includes(t)] as const));
  it.each(rows)('%s on %s, Python %s → %s', (wheel, targetId, py, expected) => {
    const target = getTarget(targetId);
    expect(isWheelInstallable(wheel, target, py)).toBe(expected);
    expect(isWheelInstallable(parseWheelFilename(wheel), target, py)).toBe(expected);
  });

  it('throws on a malformed filename rather than guessing', () => {
    expect(() => isWheelInstallable('not-a-wheel.whl', getTarget('glibc-x86_64'), '3.11')).toThrow(
      InvalidWheelNameError,
    );
  });
});

describe('wheelPriority / selectBestWheel', () => {
  const glibcX86 = getTarget('glibc-x86_64');

  it('ranks by the best tag: specific ABI < abi3 < pure', () => {
    const specific = wheelPriority('a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', glibcX86, '3.11')!;
    const abi3 = wheelPriority('a-1.0-cp39-abi3-manylinux_2_28_x86_64.whl', glibcX86, '3.11')!;
    const pure = wheelPriority('a-1.0-py3-none-any.whl', glibcX86, '3.11')!;
    expect(specific).toBeLessThan(abi3);
    expect(abi3).toBeLessThan(pure);
    expect(wheelPriority('a-1.0-cp311-cp311-musllinux_1_1_x86_64.whl', glibcX86, '3.11')).toBeNull();
  });

  it('uses the best of a compressed tag set', () => {
    const both = wheelPriority('a-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', glibcX86, '3.11');
    const newer = wheelPriority('a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', glibcX86, '3.11');
    expect(both).toBe(newer);
  });

  it.each([
    [
      'glibc-x86_64',
      [
        'a-1.0-py3-none-any.whl',
        'a-1.0-cp311-cp311-musllinux_1_2_x86_64.whl',
        'a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl',
        'a-1.0-cp311-cp311-manylinux_2_28_x86_64.whl',
      ],
      'a-1.0-cp311-cp311-manylinux_2_28_x86_64.whl',
    ],
    [
      'musl-x86_64',
      ['a-1.0-py3-none-any.whl', 'a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl'],
      'a-1.0-py3-none-any.whl',
    ],
    [
      'musl-x86_64',
      ['a-1.0-1-py3-none-any.whl', 'a-1.0-3-py3-none-any.whl', 'a-1.0-py3-none-any.whl'],
      'a-1.0-3-py3-none-any.whl',
    ],
    ['glibc-armv7', ['a-1.0-cp311-cp311-linux_x86_64.whl'], undefined],
  ])('on %s picks %s', (targetId, wheels, expected) => {
    expect(selectBestWheel(wheels, getTarget(targetId), '3.11')).toBe(expected);
  });
});
