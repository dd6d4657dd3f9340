import { describe, expect, it } from 'vitest';
import { InvalidWheelNameError, WheelRejectedError } from '../../../src/errors.js';
import {
  compareBuildTags,
  isPureWheel,
  isWheelFilename,
  parseWheelFilename,
  wheelPlatforms,
  wheelTags,
  withBuildTag,
} from '../../../src/wheels/wheel-filename.js';

describe('parseWheelFilename', () => {
  it.each([
    {
      file: 'cffi-1.16.0-cp311-cp311-musllinux_1_1_x86_64.whl',
      name: 'cffi',
      version: '1.16.0',
      build: null,
      tags: ['cp311-cp311-musllinux_1_1_x86_64'],
    },
    {
      file: 'numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
      name: 'numpy',
      version: '1.26.4',
      build: null,
      tags: ['cp311-cp311-manylinux_2_17_aarch64', 'cp311-cp311-manylinux2014_aarch64'],
    },
    {
      file: 'MarkupSafe-2.1.2-cp311-cp311-linux_armv7l.whl',
      name: 'markupsafe',
      version: '2.1.2',
      build: null,
      tags: ['cp311-cp311-linux_armv7l'],
    },
    {
      file: 'six-1.16.0-py2.py3-none-any.whl',
      name: 'six',
      version: '1.16.0',
      build: null,
      tags: ['py2-none-any', 'py3-none-any'],
    },
    {
      file: 'zope.interface-6.0-1-cp311-cp311-linux_x86_64.whl',
      name: 'zope-interface',
      version: '6.0',
      build: { number: 1, suffix: '' },
      tags: ['cp311-cp311-linux_x86_64'],
    },
    {
      file: 'foo_bar-2.0rc1-12abc-py3-none-any.whl',
      name: 'foo-bar',
      version: '2.0rc1',
      build: { number: 12, suffix: 'abc' },
      tags: ['py3-none-any'],
    },
    {
      file: 'cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl',
      name: 'cryptography',
      version: '42.0.5',
      build: null,
      tags: ['cp39-abi3-manylinux_2_28_x86_64'],
    },
    {
      // Upper-case tags are compared lower-case, as packaging does.
      file: 'Foo-1.0-PY3-NONE-ANY.whl',
      name: 'foo',
      version: '1.0',
      build: null,
      tags: ['py3-none-any'],
    },
    {
      file: 'multi-1.0-cp310.cp311-cp310.cp311-linux_x86_64.linux_aarch64.whl',
      name: 'multi',
      version: '1.0',
      build: null,
      tags: [
        'cp310-cp310-linux_x86_64',
        'cp310-cp310-linux_aarch64',
        'cp310-cp311-linux_x86_64',
        'cp310-cp311-linux_aarch64',
        'cp311-cp310-linux_x86_64',
        'cp311-cp310-linux_aarch64',
        'cp311-cp311-linux_x86_64',
        'cp311-cp311-linux_aarch64',
      ],
    },
  ])('$file', ({ file, name, version, build, tags }) => {
    const w = parseWheelFilename(file);
    expect(w.filename).toBe(file);
    expect(w.name).toBe(name);
    expect(w.version).toBe(version);
    expect(w.buildTag).toEqual(build);
    expect([...w.tags].sort()).toEqual([...tags].sort());
  });

  it('keeps the distribution as written and normalises the version separately', () => {
    const w = parseWheelFilename('PyYAML-6.0.1-cp311-cp311-musllinux_1_1_aarch64.whl');
    expect(w.distribution).toBe('PyYAML');
    expect(parseWheelFilename('foo-1.0.0_RC1-py3-none-any.whl').normalizedVersion).toBe('1.0.0rc1');
    expect(parseWheelFilename('torch-2.1.0+CPU.1-cp311-cp311-linux_x86_64.whl').normalizedVersion).toBe(
      '2.1.0+cpu.1',
    );
    expect(parseWheelFilename('foo-1!2.0.post1-py3-none-any.whl').normalizedVersion).toBe('1!2.0.post1');
  });

  it.each([
    ['foo-1.0-py3-none-any.zip', 'must end with ".whl"'],
    ['foo-1.0-py3-none.whl', 'got 4 dash-separated parts'],
    ['foo-py3-none-any.whl', 'got 4 dash-separated parts'],
    ['foo-1.0-1-2-py3-none-any.whl', 'got 7 dash-separated parts'],
    ['.whl', 'got 1 dash-separated parts'],
    ['foo-banana split-py3-none-any.whl', "bad version 'banana split'"],
    ['foo-1.0.x-py3-none-any.whl', "bad version '1.0.x'"],
    ['foo- 1.0-py3-none-any.whl', "bad version ' 1.0'"],
    ['foo-1.0-abc-py3-none-any.whl', "bad build tag 'abc' (must start with a digit)"],
    ['foo-1.0--py3-none-any.whl', "bad build tag ''"],
    ['..-1.0-py3-none-any.whl', "bad distribution name '..'"],
    ['../foo-1.0-py3-none-any.whl', 'without "/"'],
    ['dir/foo-1.0-py3-none-any.whl', 'without "/"'],
    ['..\\foo-1.0-py3-none-any.whl', 'without "/", "\\"'],
    ['foo__bar-1.0-py3-none-any.whl', "bad distribution name 'foo__bar'"],
    ['_foo-1.0-py3-none-any.whl', "bad distribution name '_foo'"],
    ['-1.0-py3-none-any.whl', "bad distribution name ''"],
    ['foo-1.0-py3..py2-none-any.whl', "bad python tag 'py3..py2'"],
    ['foo-1.0-py3-none-any..whl', "bad platform tag 'any.'"],
    ['foo-1.0-py3-no ne-any.whl', "bad abi tag 'no ne'"],
  ])('rejects %j: %s', (file, problem) => {
    let caught: unknown;
    try {
      parseWheelFilename(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidWheelNameError);
    expect(caught).toBeInstanceOf(WheelRejectedError);
    const e = caught as InvalidWheelNameError;
    expect(e.file).toBe(file);
    expect(e.problem).toContain(problem);
    expect(e.message).toContain(`${file}: rejected: invalid wheel filename:`);
    expect(isWheelFilename(file)).toBe(false);
  });
});

describe('isPureWheel', () => {
  it.each([
    ['six-1.16.0-py2.py3-none-any.whl', true],
    ['idna-3.6-py3-none-any.whl', true],
    ['foo-1.0-cp311-none-any.whl', true],
    ['cffi-1.16.0-cp311-cp311-musllinux_1_1_x86_64.whl', false],
    ['foo-1.0-py3-none-linux_x86_64.whl', false],
    ['foo-1.0-cp311-abi3-any.whl', false],
  ])('%s → %s', (file, pure) => {
    expect(isPureWheel(file)).toBe(pure);
  });
});

describe('compareBuildTags', () => {
  it.each([
    [null, null, 0],
    [null, { number: 0, suffix: '' }, -1],
    [{ number: 2, suffix: '' }, { number: 10, suffix: '' }, -1],
    [{ number: 1, suffix: 'b' }, { number: 1, suffix: 'a' }, 1],
    [{ number: 1, suffix: 'a' }, { number: 1, suffix: 'a' }, 0],
  ])('%j vs %j → %d', (a, b, sign) => {
    expect(Math.sign(compareBuildTags(a, b))).toBe(sign);
  });
});

describe('withBuildTag', () => {
  it.each([
    ['name-1.0-cp311-cp311-linux_x86_64.whl', 1, 'name-1.0-1-cp311-cp311-linux_x86_64.whl'],
    ['name-1.0-1-cp311-cp311-linux_x86_64.whl', 2, 'name-1.0-2-cp311-cp311-linux_x86_64.whl'],
    ['name-1.0-3abc-py2.py3-none-any.whl', 4, 'name-1.0-4-py2.py3-none-any.whl'],
    ['My_Pkg-2.0rc1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 1, 'My_Pkg-2.0rc1-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'],
  ])('%s with %d → %s', (file, n, expected) => {
    expect(withBuildTag(file, n)).toBe(expected);
    expect(parseWheelFilename(expected).buildTag).toEqual({ number: n, suffix: '' });
  });

  it('refuses a bad filename or build number', () => {
    expect(() => withBuildTag('nope.whl', 1)).toThrow(InvalidWheelNameError);
    expect(() => withBuildTag('name-1.0-py3-none-any.whl', -1)).toThrow(RangeError);
    expect(() => withBuildTag('name-1.0-py3-none-any.whl', 1.5)).toThrow(RangeError);
  });
});

describe('wheelTags and wheelPlatforms: the same parts parseWheelFilename finds', () => {
  it.each([
    'farm_demo-1.0-py3-none-any.whl',
    'lxml-5.2.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    'pkg-2.0-1-cp311-cp311-musllinux_1_2_x86_64.whl',
    'Pkg_Name-0.1.dev3-7local-cp311-abi3-linux_armv7l.whl',
  ])('%s', (filename) => {
    const parsed = parseWheelFilename(filename);
    expect(wheelTags(filename)).toBe(filename.slice(0, -4).split('-').slice(-3).join('-'));
    expect(wheelPlatforms(filename)).toEqual(parsed.platformTags.map((t) => t.toLowerCase()));
  });
});
