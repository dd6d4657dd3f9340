import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, MissingFileError, UsageError } from '../../../src/errors.js';
import {
  checkRecipes,
  loadRecipes,
  loadRecipesStrict,
  recipeDirs,
  SHIPPED_RECIPES_DIR,
  showRecipe,
} from '../../../src/recipes/load-recipes.js';

let bad: string;
let user: string;

beforeAll(async () => {
  bad = await mkdtemp(path.join(tmpdir(), 'farm-recipes-bad-'));
  await writeFile(path.join(bad, 'good.yaml'), 'packages:\n  apt: [libfoo-dev]\n');
  await writeFile(path.join(bad, 'unknown-key.yaml'), 'packages:\n  apt: [x]\ncolour: red\n');
  await writeFile(path.join(bad, 'wrong-type.yaml'), 'rust: "yes"\n');
  await writeFile(path.join(bad, 'bad-range.yaml'), 'overrides:\n  - versions: ">=banana"\n');
  await writeFile(path.join(bad, 'shell-string.yaml'), 'before:\n  - make install\n');
  await writeFile(path.join(bad, 'Bad_Name.yaml'), '');
  await writeFile(path.join(bad, 'README.md'), '# not a recipe\n');

  user = await mkdtemp(path.join(tmpdir(), 'farm-recipes-user-'));
  await writeFile(path.join(user, 'pyyaml.yaml'), 'packages:\n  apt: [my-libyaml-dev]\n');
  await writeFile(path.join(user, 'my-private-lib.yaml'), 'packages:\n  apt: [libprivate-dev]\n');
});

afterAll(async () => {
  await rm(bad, { recursive: true, force: true });
  await rm(user, { recursive: true, force: true });
});

describe('checkRecipes', () => {
  it('reports every problem of every file at once, as file: dotted.path: message', async () => {
    const result = await checkRecipes(bad);
    expect(result.files).toBe(6);
    expect(result.valid).toBe(1);
    const f = (name: string) => path.join(bad, name);
    expect(result.lines).toEqual([
      `${f('Bad_Name.yaml')}: the file name must be the normalized project name: rename it to bad-name.yaml`,
      `${f('bad-range.yaml')}: overrides.0.versions: '>=banana' is not a PEP 440 specifier (expected e.g. ">=6,<7") (line 2)`,
      `${f('shell-string.yaml')}: before.0: use an argv list like ["make", "install"], not a shell string (line 2)`,
      `${f('unknown-key.yaml')}: Unrecognized key: "colour" (line 1)`,
      `${f('wrong-type.yaml')}: rust: Invalid input: expected boolean, received string (line 1)`,
    ]);
  });

  it('a missing directory is a MissingFileError', async () => {
    await expect(checkRecipes(path.join(bad, 'nope'))).rejects.toBeInstanceOf(MissingFileError);
  });

  it('loadRecipesStrict throws one ConfigError listing every problem', async () => {
    const error = await loadRecipesStrict(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(5);
    expect(issues.map((i) => i.path)).toContain(`${path.join(bad, 'wrong-type.yaml')}: rust`);
    expect((error as ConfigError).message).toContain('shell-string.yaml: before.0: use an argv list');
  });
});

describe('recipe directories', () => {
  it('user recipes sit beside the shipped ones, replacing same-named files', async () => {
    const dirs = recipeDirs({ dir: user });
    expect(dirs).toEqual([SHIPPED_RECIPES_DIR, user]);
    const book = await loadRecipes(dirs);
    expect(book.problems).toEqual([]);
    expect(book.recipes.get('pyyaml')?.file).toBe(path.join(user, 'pyyaml.yaml'));
    expect(book.recipes.get('my-private-lib')).toBeDefined();
    expect(book.recipes.get('cffi')?.file).toBe(path.join(SHIPPED_RECIPES_DIR, 'cffi.yaml'));
  });

  it('--dir wins over the config key; neither means the shipped dir only', () => {
    expect(recipeDirs({ dir: '/a', configDir: '/b' })).toEqual([SHIPPED_RECIPES_DIR, '/a']);
    expect(recipeDirs({ configDir: '/b' })).toEqual([SHIPPED_RECIPES_DIR, '/b']);
    expect(recipeDirs()).toEqual([SHIPPED_RECIPES_DIR]);
    expect(recipeDirs({ dir: SHIPPED_RECIPES_DIR })).toEqual([SHIPPED_RECIPES_DIR]);
  });
});

describe('showRecipe', () => {
  it('prints the effective recipe after overrides, with its hash', async () => {
    const shown = await showRecipe(undefined, 'Cryptography', 'glibc-armv7', '3.3.2');
    expect(shown).toMatchObject({
      name: 'cryptography',
      target: 'glibc-armv7',
      version: '3.3.2',
      file: path.join(SHIPPED_RECIPES_DIR, 'cryptography.yaml'),
      effective: { rust: false },
    });
    expect(shown.hash).toMatch(/^sha256:/);
    const newer = await showRecipe(undefined, 'cryptography', 'glibc-armv7', '42.0.5');
    expect(newer.effective.rust).toBe(true);
    expect(newer.hash).not.toBe(shown.hash);
  });

  it('a project without a recipe shows the empty recipe', async () => {
    const shown = await showRecipe(recipeDirs({ dir: user }), 'requests', 'musl-x86_64', '2.31.0');
    expect(shown.file).toBeNull();
    expect(shown.effective.packages.apk).toEqual([]);
  });

  it('an unknown target is a usage error listing the valid ones', async () => {
    await expect(showRecipe(undefined, 'cffi', 'glibc-mips', '1.0')).rejects.toThrow(UsageError);
    await expect(showRecipe(undefined, 'cffi', 'glibc-mips', '1.0')).rejects.toThrow(/valid targets: glibc-x86_64/);
  });

  it('invalid recipes make show fail with every problem', async () => {
    await expect(showRecipe(bad, 'good', 'glibc-x86_64', '1.0')).rejects.toBeInstanceOf(ConfigError);
  });
});
