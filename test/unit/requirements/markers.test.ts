import { describe, expect, it } from 'vitest';
import { InputFileError, UsageError } from '../../../src/errors.js';
import { evaluateMarker } from '../../../src/requirements/marker-evaluate.js';
import { markerEnvironment } from '../../../src/requirements/marker-environment.js';
import { formatMarker } from '../../../src/requirements/marker-format.js';
import { parseMarker } from '../../../src/requirements/marker-parser.js';
import { TARGETS, type Target } from '../../../src/targets/catalog.js';

const origin = { file: 'req.txt', line: 3 };
const target = (id: string): Target => TARGETS.get(id)!;
const holds = (marker: string, targetId: string, python: string): boolean =>
  evaluateMarker(parseMarker(marker, origin), markerEnvironment(target(targetId), python), origin);

describe('markerEnvironment', () => {
  it('describes CPython X.Y on Linux for the target machine', () => {
    expect(markerEnvironment(target('glibc-armv7'), '3.11')).toEqual({
      implementation_name: 'cpython',
      implementation_version: '3.11.0',
      os_name: 'posix',
      platform_machine: 'armv7l',
      platform_python_implementation: 'CPython',
      platform_release: '',
      platform_system: 'Linux',
      platform_version: '',
      python_full_version: '3.11.0',
      python_version: '3.11',
      sys_platform: 'linux',
      extra: '',
    });
  });

  it.each([
    ['glibc-x86_64', 'x86_64'],
    ['glibc-aarch64', 'aarch64'],
    ['glibc-armv7', 'armv7l'],
    ['musl-x86_64', 'x86_64'],
    ['musl-aarch64', 'aarch64'],
  ])('%s has platform_machine %s', (id, machine) => {
    expect(markerEnvironment(target(id), '3.12').platform_machine).toBe(machine);
  });

  it.each(['3', '3.11.2', 'py3.11', '', '3.x'])('refuses Python version %j', (v) => {
    expect(() => markerEnvironment(target('glibc-x86_64'), v)).toThrow(UsageError);
  });
});

describe('evaluateMarker per target', () => {
  it.each([
    // [marker, target, python, expected]
    ['platform_machine == "armv7l"', 'glibc-armv7', '3.11', true],
    ['platform_machine == "armv7l"', 'glibc-x86_64', '3.11', false],
    ['platform_machine == "armv7l"', 'musl-aarch64', '3.11', false],
    ['platform_machine != "armv7l"', 'glibc-x86_64', '3.11', true],
    ['platform_machine in "x86_64 aarch64"', 'musl-aarch64', '3.11', true],
    ['platform_machine not in "x86_64 aarch64"', 'glibc-armv7', '3.11', true],
    ['"arm" in platform_machine', 'glibc-armv7', '3.11', true],
    ['sys_platform == "linux"', 'musl-x86_64', '3.11', true],
    ['sys_platform == "win32"', 'musl-x86_64', '3.11', false],
    ['platform_system == "Linux" and os_name == "posix"', 'glibc-x86_64', '3.11', true],
    ['implementation_name == "cpython"', 'glibc-x86_64', '3.11', true],
    ['platform_python_implementation == "PyPy"', 'glibc-x86_64', '3.11', false],
    ['python_implementation == "CPython"', 'glibc-x86_64', '3.11', true],
    ['os.name == "posix"', 'glibc-x86_64', '3.11', true],
    ['sys_platform == "win32" or platform_machine == "aarch64"', 'glibc-aarch64', '3.11', true],
    // Versions compare as versions (3.10 > 3.9), not as strings.
    ['python_version < "3.10"', 'glibc-x86_64', '3.9', true],
    ['python_version < "3.10"', 'glibc-x86_64', '3.11', false],
    ['python_version >= "3.8"', 'glibc-x86_64', '3.10', true],
    ['python_version > "3.9"', 'glibc-x86_64', '3.10', true],
    ['python_version == "3.12"', 'glibc-x86_64', '3.12', true],
    ['python_version == "3.1"', 'glibc-x86_64', '3.12', false],
    ['python_version == "3.*"', 'glibc-x86_64', '3.12', true],
    ['python_version ~= "3.8"', 'glibc-x86_64', '3.12', true],
    ['python_version ~= "3.8"', 'glibc-x86_64', '4.0', false],
    ['python_version < "2.7"', 'glibc-x86_64', '3.11', false],
    ['"3.10" <= python_version', 'glibc-x86_64', '3.11', true],
    ['"3.12" <= python_version', 'glibc-x86_64', '3.11', false],
    ['python_full_version >= "3.11.0"', 'glibc-x86_64', '3.11', true],
    ['python_full_version < "3.11.4"', 'glibc-x86_64', '3.11', true],
    ['implementation_version >= "3.12"', 'glibc-x86_64', '3.12', true],
    ['python_version === "3.11"', 'glibc-x86_64', '3.11', true],
    ['python_version === "3.11.0"', 'glibc-x86_64', '3.11', false],
    ['(python_version < "3.8" or python_version >= "3.12") and platform_machine != "armv7l"', 'glibc-x86_64', '3.12', true],
    ['(python_version < "3.8" or python_version >= "3.12") and platform_machine != "armv7l"', 'glibc-armv7', '3.12', false],
    ['(python_version < "3.8" or python_version >= "3.12") and platform_machine != "armv7l"', 'glibc-x86_64', '3.11', false],
    // A version variable whose value is not a version matches no version specifier.
    ['platform_release >= "5"', 'glibc-x86_64', '3.11', false],
    ['platform_release != "5"', 'glibc-x86_64', '3.11', false],
    // Other variables compare as strings, with packaging's ordering rules: <= and >= are equality, < and > false.
    ['sys_platform <= "linux"', 'glibc-x86_64', '3.11', true],
    ['sys_platform >= "linux"', 'glibc-x86_64', '3.11', true],
    ['sys_platform < "win32"', 'glibc-x86_64', '3.11', false],
    ['sys_platform > "darwin"', 'glibc-x86_64', '3.11', false],
    ['platform_machine == "3.11"', 'glibc-x86_64', '3.11', false],
    ['python_version == "3.11.0"', 'glibc-x86_64', '3.11', true],
    ['platform_release == ""', 'glibc-x86_64', '3.11', true],
    ['extra == "test"', 'glibc-x86_64', '3.11', false],
    ['extra == ""', 'glibc-x86_64', '3.11', true],
  ])('%s on %s py%s → %s', (marker, id, python, expected) => {
    expect(holds(marker, id, python)).toBe(expected);
  });

  it('refuses a version operator whose right side is not a version, naming the line', () => {
    expect(() => holds('python_version ~= "3"', 'glibc-x86_64', '3.11')).toThrow(
      new InputFileError('req.txt', 3, 'invalid marker: "3.11" ~= "3" is undefined: ~= needs PEP 440 versions'),
    );
  });

  it.each(['os_name ~= "posix"', 'sys_platform === "linux"', '"x" ~= platform_machine'])(
    'refuses %s when parsing: not a version variable',
    (marker) => {
      expect(() => parseMarker(marker, origin)).toThrow(/^req\.txt:3: invalid marker: (~=|===) compares versions, and \w+ is not a version/);
    },
  );
});

describe('formatMarker', () => {
  it.each([
    ['python_version<"3"', 'python_version < "3"'],
    ["os_name=='posix'and(sys_platform=='linux'or sys_platform=='darwin')", 'os_name == "posix" and (sys_platform == "linux" or sys_platform == "darwin")'],
    ['(os_name == "1")', 'os_name == "1"'],
    ['os_name == \'say "hi"\'', 'os_name == \'say "hi"\''],
    ['(os_name == "a" and os_name == "b") and os_name == "c"', 'os_name == "a" and os_name == "b" and os_name == "c"'],
    ['os_name == "a" or (os_name == "b" or os_name == "c")', 'os_name == "a" or os_name == "b" or os_name == "c"'],
    ['platform.machine not  in "x"', 'platform_machine not in "x"'],
  ])('%s → %s', (input, output) => {
    const parsed = parseMarker(input, origin);
    expect(formatMarker(parsed)).toBe(output);
    expect(parseMarker(output, origin)).toEqual(parsed);
  });

  it('handles a 2,000-term chain without deep recursion', () => {
    const marker = Array.from({ length: 2000 }, (_, i) => `python_version != "2.${i}"`).join(' and ');
    const parsed = parseMarker(marker, origin);
    expect(parsed.kind === 'and' && parsed.operands.length).toBe(2000);
    expect(evaluateMarker(parsed, markerEnvironment(target('glibc-x86_64'), '3.11'), origin)).toBe(true);
  });
});
