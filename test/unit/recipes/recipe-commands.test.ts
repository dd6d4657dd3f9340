import { describe, expect, it } from 'vitest';
import { HostError } from '../../../src/errors.js';
import { EMPTY_RECIPE, effectiveRecipe } from '../../../src/recipes/effective-recipe.js';
import { recipePlan, rustTriple, type ImageFacts } from '../../../src/recipes/recipe-commands.js';
import { Recipe } from '../../../src/recipes/recipe-schema.js';
import { getTarget } from '../../../src/targets/parse-targets.js';

const PYYAML = effectiveRecipe(
  Recipe.parse({
    packages: { apk: ['yaml-dev'], apt: ['libyaml-dev'], dnf: ['libyaml-devel'] },
    env: { PYYAML_FORCE_CYTHON: '1' },
    before: [['ldconfig']],
  }),
  'glibc-x86_64',
  '6.0.1',
);

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

describe('recipePlan: package installs per package manager', () => {
  it.each<[string, ImageFacts, Array<{ argv: string[]; asRoot: boolean; env: Record<string, string> }>]>([
    [
      'apk as root',
      { packageManager: 'apk', root: true },
      [{ argv: ['apk', 'add', '--no-cache', 'yaml-dev'], asRoot: false, env: {} }],
    ],
    [
      'apt, non-root, no sudo: marked for the executor to run as uid 0',
      { packageManager: 'apt', root: false },
      [
        { argv: ['apt-get', 'update'], asRoot: true, env: APT_ENV },
        { argv: ['apt-get', 'install', '-y', '--no-install-recommends', 'libyaml-dev'], asRoot: true, env: APT_ENV },
      ],
    ],
    [
      'apt, non-root with sudo: env goes on sudo’s command line',
      { packageManager: 'apt', root: false, sudo: true },
      [
        { argv: ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive', '--', 'apt-get', 'update'], asRoot: false, env: {} },
        {
          argv: [
            'sudo',
            '-n',
            'DEBIAN_FRONTEND=noninteractive',
            '--',
            'apt-get',
            'install',
            '-y',
            '--no-install-recommends',
            'libyaml-dev',
          ],
          asRoot: false,
          env: {},
        },
      ],
    ],
    [
      'dnf as root',
      { packageManager: 'dnf', root: true },
      [{ argv: ['dnf', 'install', '-y', 'libyaml-devel'], asRoot: false, env: {} }],
    ],
    [
      'yum falls back to the dnf list',
      { packageManager: 'yum', root: true },
      [{ argv: ['yum', 'install', '-y', 'libyaml-devel'], asRoot: false, env: {} }],
    ],
  ])('%s', (_name, facts, packageSteps) => {
    const plan = recipePlan(PYYAML, facts);
    expect(plan.steps.filter((s) => s.purpose === 'packages').map(({ argv, asRoot, env }) => ({ argv, asRoot, env }))).toEqual(
      packageSteps,
    );
    // before commands come last, with the recipe env
    expect(plan.steps.at(-1)).toMatchObject({ purpose: 'before' });
    expect(plan.env).toEqual({ PYYAML_FORCE_CYTHON: '1' });
    expect(plan.warnings).toEqual([]);
  });

  it('every step is an argv array of plain strings (no shell)', () => {
    const plan = recipePlan(PYYAML, { packageManager: 'apt', root: false });
    for (const step of plan.steps) {
      expect(Array.isArray(step.argv)).toBe(true);
      expect(step.argv.every((a) => typeof a === 'string')).toBe(true);
      expect(step.argv[0]).not.toMatch(/^(sh|bash)$/);
    }
  });

  it('an empty recipe needs nothing, even on an image without a package manager', () => {
    expect(recipePlan(EMPTY_RECIPE, { packageManager: 'none', root: false })).toEqual({
      steps: [],
      env: {},
      pathPrepend: [],
      buildRequires: [],
      warnings: [],
    });
  });

  it('warns when the recipe has no packages for the image’s manager', () => {
    const onlyApk = effectiveRecipe(Recipe.parse({ packages: { apk: ['yaml-dev'] } }), 'glibc-x86_64', '1.0');
    const plan = recipePlan(onlyApk, { packageManager: 'apt', root: true });
    expect(plan.steps).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringContaining('packages for apk but none for apt')]);
  });

  it('refuses when packages are needed and the image has no package manager', () => {
    expect(() => recipePlan(PYYAML, { packageManager: 'none', root: true })).toThrow(HostError);
  });
});

describe('recipePlan: Rust', () => {
  const rusty = effectiveRecipe(
    Recipe.parse({ rust: true, packages: { apt: ['libssl-dev'] } }),
    'glibc-x86_64',
    '42.0.5',
  );

  it('installs cargo with the package manager first, as separate cacheable steps', () => {
    const plan = recipePlan(rusty, { packageManager: 'apt', root: true });
    expect(plan.steps.map((s) => [s.purpose, s.argv.join(' ')])).toEqual([
      ['rust', 'apt-get update'],
      ['rust', 'apt-get install -y --no-install-recommends cargo'],
      ['packages', 'apt-get update'],
      ['packages', 'apt-get install -y --no-install-recommends libssl-dev'],
    ]);
    expect(recipePlan(rusty, { packageManager: 'apk', root: true }).steps[0]!.argv).toEqual([
      'apk',
      'add',
      '--no-cache',
      'cargo',
    ]);
  });

  it('with rustup: downloads rustup-init for the target triple and puts cargo on PATH', () => {
    const plan = recipePlan(rusty, { packageManager: 'apt', root: false }, {
      rust: 'rustup',
      target: getTarget('glibc-armv7'),
    });
    const rust = plan.steps.filter((s) => s.purpose === 'rust');
    expect(rust.map((s) => s.argv[0])).toEqual(['curl', 'chmod', '/tmp/rustup-init']);
    expect(rust[0]!.argv.at(-1)).toBe(
      'https://static.rust-lang.org/rustup/dist/armv7-unknown-linux-gnueabihf/rustup-init',
    );
    expect(rust.every((s) => s.asRoot)).toBe(true);
    expect(plan.env['RUSTUP_HOME']).toBe('/opt/rust/rustup');
    expect(plan.pathPrepend).toEqual(['/opt/rust/cargo/bin']);
  });

  it('refuses Rust from a package manager the image lacks', () => {
    expect(() => recipePlan(rusty, { packageManager: 'none', root: true })).toThrow(HostError);
  });

  it.each([
    ['glibc-x86_64', 'x86_64-unknown-linux-gnu'],
    ['glibc-aarch64', 'aarch64-unknown-linux-gnu'],
    ['glibc-armv7', 'armv7-unknown-linux-gnueabihf'],
    ['musl-x86_64', 'x86_64-unknown-linux-musl'],
    ['musl-aarch64', 'aarch64-unknown-linux-musl'],
  ])('rustTriple(%s) = %s', (id, triple) => {
    expect(rustTriple(getTarget(id))).toBe(triple);
  });
});
