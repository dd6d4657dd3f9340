import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveRecipe } from '../../../src/recipes/effective-recipe.js';
import { checkRecipes, loadRecipes, parseRecipeFile, SHIPPED_RECIPES_DIR } from '../../../src/recipes/load-recipes.js';
import { recipePlan } from '../../../src/recipes/recipe-commands.js';
import { PACKAGE_MANAGERS } from '../../../src/recipes/recipe-schema.js';
import { TARGETS } from '../../../src/targets/catalog.js';

/** The projects issue 6 says farm ships recipes for. */
const REQUIRED = [
  'multidict',
  'yarl',
  'frozenlist',
  'asyncpg',
  'brotli',
  'cchardet',
  'cffi',
  'pillow',
  'cryptography',
  'bcrypt',
  'lxml',
  'psycopg2',
  'pyyaml',
  'pycurl',
];

describe('every shipped recipe', async () => {
  const files = (await readdir(SHIPPED_RECIPES_DIR)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
  const book = await loadRecipes(SHIPPED_RECIPES_DIR);

  it('validates against the schema and the target catalog, with no problems', async () => {
    const result = await checkRecipes();
    expect(result.lines).toEqual([]);
    expect(result.files).toBe(files.length);
    expect(result.valid).toBe(files.length);
  });

  it('covers the projects the issue names', () => {
    expect([...book.recipes.keys()].sort()).toEqual(expect.arrayContaining(REQUIRED.sort()));
  });

  it.each(files)('%s: has apk and apt package lists and a display name', async (file) => {
    const { recipe, problems } = parseRecipeFile(file, await readFile(path.join(SHIPPED_RECIPES_DIR, file), 'utf8'));
    expect(problems).toEqual([]);
    expect(recipe!.recipe.packages?.apk).toBeDefined();
    expect(recipe!.recipe.packages?.apt).toBeDefined();
    expect(recipe!.recipe.name).toBeDefined();
    for (const override of recipe!.recipe.overrides) {
      for (const t of override.targets ?? []) expect(TARGETS.has(t)).toBe(true);
    }
  });

  it.each(files)('%s: plans for every target and every package manager', (file) => {
    const loaded = book.recipes.get(file.replace(/\.yaml$/, ''))!;
    for (const target of TARGETS.values()) {
      for (const version of ['0.1', '3.3', '4.0', '6.0.1', '42.0.5']) {
        const effective = effectiveRecipe(loaded.recipe, target.id, version);
        expect(effective.skip).toBeNull();
        for (const pm of PACKAGE_MANAGERS) {
          const plan = recipePlan(effective, { packageManager: pm, root: false });
          expect(plan.warnings).toEqual([]);
        }
      }
    }
  });
});

describe('recipes/README.md', () => {
  it('its example is a valid recipe', async () => {
    const readme = await readFile(path.join(SHIPPED_RECIPES_DIR, 'README.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(parseRecipeFile('pyyaml.yaml', example!).problems).toEqual([]);
  });
});
