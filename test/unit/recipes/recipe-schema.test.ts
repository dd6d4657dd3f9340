import { describe, expect, it } from 'vitest';
import { formatRecipeProblem, parseRecipeFile } from '../../../src/recipes/load-recipes.js';

const FILE = 'recipes/pyyaml.yaml';

/** Each bad document and the problems it must produce (path exact, message substring). */
const INVALID: ReadonlyArray<{ name: string; yaml: string; problems: Array<{ path: string; message: string }> }> = [
  {
    name: 'unknown top-level key',
    yaml: 'packges:\n  apt: [libyaml-dev]\n',
    problems: [{ path: '', message: 'Unrecognized key: "packges" (line 1)' }],
  },
  {
    name: 'unknown package manager',
    yaml: 'packages:\n  pacman: [libyaml]\n',
    problems: [{ path: 'packages', message: 'Unrecognized key: "pacman"' }],
  },
  {
    name: 'unknown key in an override',
    yaml: 'overrides:\n  - target: [glibc-armv7]\n',
    problems: [{ path: 'overrides.0', message: 'Unrecognized key: "target"' }],
  },
  {
    name: 'wrong type: rust as a string',
    yaml: 'rust: "yes"\n',
    problems: [{ path: 'rust', message: 'expected boolean' }],
  },
  {
    name: 'wrong type: package list as a string',
    yaml: 'packages:\n  apt: libyaml-dev\n',
    problems: [{ path: 'packages.apt', message: 'expected array' }],
  },
  {
    name: 'wrong type: env value as a number',
    yaml: 'env:\n  JOBS: 4\n',
    problems: [{ path: 'env.JOBS', message: 'expected string' }],
  },
  {
    name: 'bad version range',
    yaml: 'overrides:\n  - versions: ">=banana"\n    rust: true\n',
    problems: [{ path: 'overrides.0.versions', message: `'>=banana' is not a PEP 440 specifier (expected e.g. ">=6,<7") (line 2)` }],
  },
  {
    name: 'empty version range',
    yaml: 'overrides:\n  - versions: ""\n',
    problems: [{ path: 'overrides.0.versions', message: 'expected a PEP 440 specifier' }],
  },
  {
    name: 'a shell string where the command list is required',
    yaml: 'before: "make install"\n',
    problems: [{ path: 'before', message: 'use a list of argv lists like [["make", "install"]], not a shell string' }],
  },
  {
    name: 'a shell string where an argv list is required',
    yaml: 'before:\n  - make install\n',
    problems: [{ path: 'before.0', message: 'use an argv list like ["make", "install"], not a shell string (line 2)' }],
  },
  {
    name: 'a shell command line squeezed into argv[0]',
    yaml: 'before:\n  - ["make install && ldconfig"]\n',
    problems: [{ path: 'before.0', message: 'use an argv list like ["make", "install"]' }],
  },
  {
    name: 'a shell string in an override',
    yaml: 'overrides:\n  - targets: [musl-x86_64]\n    before: ["./configure"]\n',
    problems: [{ path: 'overrides.0.before.0', message: 'use an argv list like ["make", "install"]' }],
  },
  {
    name: 'empty argv',
    yaml: 'before: [[]]\n',
    problems: [{ path: 'before.0', message: 'a command needs at least a program name' }],
  },
  {
    name: 'unknown target id',
    yaml: 'overrides:\n  - targets: [glibc-riscv64]\n',
    problems: [{ path: 'overrides.0.targets.0', message: "unknown target 'glibc-riscv64'; valid targets: glibc-x86_64" }],
  },
  {
    name: 'option injection through a package name',
    yaml: 'packages:\n  apt: ["-o=APT::Get::AllowUnauthenticated=true"]\n',
    problems: [{ path: 'packages.apt.0', message: 'no leading "-"' }],
  },
  {
    name: 'bad build requirement',
    yaml: 'buildRequires: ["cython>=banana", "!!"]\n',
    problems: [
      { path: 'buildRequires.0', message: "'>=banana' is not a PEP 440 version specifier" },
      { path: 'buildRequires.1', message: 'is not a PEP 508 requirement' },
    ],
  },
  {
    name: 'bad import name',
    yaml: 'importNames: ["yaml-c"]\n',
    problems: [{ path: 'importNames.0', message: 'expected a module name' }],
  },
  {
    name: 'skip without a reason',
    yaml: 'skip: {}\n',
    problems: [{ path: 'skip.reason', message: 'expected string' }],
  },
  {
    name: 'network: true without a reason',
    yaml: 'network: true\n',
    problems: [{ path: 'networkReason', message: 'network: true needs networkReason' }],
  },
  {
    name: 'network: true without a reason in an override',
    yaml: 'overrides:\n  - targets: [glibc-armv7]\n    network: true\n',
    problems: [{ path: 'overrides.0.networkReason', message: 'network: true needs networkReason' }],
  },
  {
    name: 'runtime package with a leading dash',
    yaml: 'runtimePackages:\n  apt: ["-oDebug=1"]\n',
    problems: [{ path: 'runtimePackages.apt.0', message: 'expected a package name' }],
  },
  {
    name: 'name that does not match the file',
    yaml: 'name: ruamel.yaml\n',
    problems: [{ path: 'name', message: "'ruamel.yaml' does not match the file name pyyaml.yaml" }],
  },
  {
    name: 'bad env variable name',
    yaml: 'env:\n  "MY-VAR": x\n',
    problems: [{ path: 'env.MY-VAR', message: "'MY-VAR' is not an environment variable name" }],
  },
  {
    name: 'YAML syntax error',
    yaml: 'packages: [\n',
    problems: [{ path: '', message: 'line ' }],
  },
  {
    name: 'several problems at once',
    yaml: 'rust: 1\nbefore: ["make"]\noverrides:\n  - versions: "~~1"\n    colour: red\n',
    problems: [
      { path: 'rust', message: 'expected boolean' },
      { path: 'before.0', message: 'argv list' },
      { path: 'overrides.0', message: 'Unrecognized key: "colour"' },
      { path: 'overrides.0.versions', message: 'not a PEP 440 specifier' },
    ],
  },
];

describe('recipe schema: invalid recipes are rejected with file and path', () => {
  it.each(INVALID)('$name', ({ yaml, problems }) => {
    const result = parseRecipeFile(FILE, yaml);
    expect(result.recipe).toBeUndefined();
    const got = [...result.problems].sort((a, b) => a.path.localeCompare(b.path));
    const want = [...problems].sort((a, b) => a.path.localeCompare(b.path));
    expect(got.map((p) => p.path)).toEqual(want.map((p) => p.path));
    got.forEach((p, i) => {
      expect(p.file).toBe(FILE);
      expect(p.message).toContain(want[i]!.message);
      const line = formatRecipeProblem(p);
      expect(line.startsWith(p.path === '' ? `${FILE}: ` : `${FILE}: ${p.path}: `)).toBe(true);
    });
  });

  it.each([
    ['PyYAML.yaml', 'rename it to pyyaml.yaml'],
    ['py_yaml.yaml', 'rename it to py-yaml.yaml'],
    ['pyyaml.yml', 'rename it to pyyaml.yaml'],
    ['-bad.yaml', "'-bad' is not a project name"],
  ])('file name %s is refused: %s', (name, message) => {
    const result = parseRecipeFile(`recipes/${name}`, 'rust: false\n');
    expect(result.recipe).toBeUndefined();
    expect(result.problems).toEqual([{ file: `recipes/${name}`, path: '', message: expect.stringContaining(message) }]);
  });
});

describe('recipe schema: valid recipes', () => {
  it.each([
    ['an empty file', ''],
    ['a comment only', '# nothing needed\n'],
    ['packages only', 'packages:\n  apk: [yaml-dev]\n  apt: [libyaml-dev]\n'],
    [
      'every key',
      [
        'name: PyYAML',
        'packages: {apk: [yaml-dev], apt: [libyaml-dev], dnf: [libyaml-devel], yum: [libyaml-devel]}',
        'env: {PYYAML_FORCE_CYTHON: "1", CFLAGS: "-O2 -g0"}',
        'before: [["ldconfig"], [sh, -c, "echo $HOME"]]',
        'buildRequires: ["cython>=3,<4", "setuptools-rust", "wheel ; python_version < \'3.12\'", "foo[bar] (>=1)"]',
        'rust: true',
        'importNames: [yaml, yaml._yaml]',
        'skip: {reason: not needed}',
        'overrides:',
        '  - targets: [glibc-armv7, musl-aarch64]',
        '    versions: ">=6,<7"',
        '    env: {CFLAGS: "-O1"}',
        '    skip: null',
        '  - versions: "==5.*"',
        '    packages: {apt: [libyaml-0-2]}',
      ].join('\n'),
    ],
  ])('%s', (_name, yaml) => {
    const result = parseRecipeFile('recipes/pyyaml.yaml', yaml);
    expect(result.problems).toEqual([]);
    expect(result.recipe?.name).toBe('pyyaml');
  });
});
