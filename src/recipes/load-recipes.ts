/**
 * Recipe I/O: reads recipe directories, validates every file, and answers
 * `farm recipes check` and `farm recipes show`. Everything it decides is in
 * the pure modules beside it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, MissingFileError } from '../errors.js';
import { getTarget } from '../targets/parse-targets.js';
import { validateYaml } from '../validation/validate.js';
import { isValidProjectName, normalizeName } from '../wheels/normalize-name.js';
import { effectiveRecipe, recipeHash, type EffectiveRecipe } from './effective-recipe.js';
import { Recipe } from './recipe-schema.js';

/**
 * The `recipes/` directory shipped with farm. This module sits at
 * `src/recipes/` (or `dist/recipes/` once built), two levels below the
 * package root either way.
 */
export const SHIPPED_RECIPES_DIR = fileURLToPath(new URL('../../recipes/', import.meta.url));

/** One validated recipe file. */
export interface LoadedRecipe {
  /** PEP 503-normalised project name (= the file name without `.yaml`). */
  readonly name: string;
  readonly file: string;
  readonly recipe: Recipe;
}

/** One problem in one recipe file; printed as `file: dotted.path: message`. */
export interface RecipeProblem {
  readonly file: string;
  /** Dotted path inside the file, `''` for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/** Recipes by normalised project name, later directories replacing earlier ones file by file. */
export interface RecipeBook {
  readonly dirs: readonly string[];
  readonly recipes: ReadonlyMap<string, LoadedRecipe>;
  readonly problems: readonly RecipeProblem[];
}

/** `file: dotted.path: message` (the path part is left out for whole-file problems). */
export function formatRecipeProblem(p: RecipeProblem): string {
  return p.path === '' ? `${p.file}: ${p.message}` : `${p.file}: ${p.path}: ${p.message}`;
}

/**
 * The directories recipes are read from, lowest precedence first: the shipped
 * ones, then the user's (`--dir`, else `recipes.dir` from the config, which
 * `FARM_RECIPES` sets). A user directory keeps the shipped recipes visible: a
 * file there replaces the shipped file of the same name and adds new ones.
 */
export function recipeDirs(options: { dir?: string | undefined; configDir?: string | undefined } = {}): string[] {
  const user = options.dir ?? options.configDir;
  const dirs = [SHIPPED_RECIPES_DIR];
  if (user !== undefined && path.resolve(user) !== path.resolve(SHIPPED_RECIPES_DIR)) dirs.push(user);
  return dirs;
}

/** Validates one recipe file's text (the caller reads it): schema, file name and `name` key. */
export function parseRecipeFile(file: string, text: string): { recipe?: LoadedRecipe; problems: RecipeProblem[] } {
  const base = path.basename(file);
  const problems: RecipeProblem[] = [];
  const stem = base.replace(/\.ya?ml$/, '');
  if (base.endsWith('.yml')) {
    problems.push({ file, path: '', message: `recipe files end in .yaml: rename it to ${stem}.yaml` });
  } else if (!isValidProjectName(stem) || normalizeName(stem) !== stem) {
    problems.push({
      file,
      path: '',
      message: isValidProjectName(stem)
        ? `the file name must be the normalized project name: rename it to ${normalizeName(stem)}.yaml`
        : `'${stem}' is not a project name`,
    });
  }
  let recipe: Recipe | undefined;
  try {
    recipe = validateYaml(Recipe, text, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) problems.push({ file, path: issue.path, message: issue.message });
  }
  if (recipe?.name !== undefined && normalizeName(recipe.name) !== stem) {
    problems.push({ file, path: 'name', message: `'${recipe.name}' does not match the file name ${stem}.yaml` });
  }
  if (problems.length > 0 || recipe === undefined) return { problems };
  return { recipe: { name: stem, file, recipe }, problems };
}

async function listRecipeFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MissingFileError(dir, { hint: 'check --dir, recipes.dir in the config, or FARM_RECIPES' });
    }
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/**
 * Reads and validates every `*.yaml` file of `dirs` (see `recipeDirs`).
 * Never stops at the first bad file: `problems` lists all of them.
 *
 * @throws MissingFileError when a directory does not exist.
 */
export async function loadRecipes(dirs: string | readonly string[] = [SHIPPED_RECIPES_DIR]): Promise<RecipeBook> {
  const list = typeof dirs === 'string' ? [dirs] : [...dirs];
  const recipes = new Map<string, LoadedRecipe>();
  const problems: RecipeProblem[] = [];
  for (const dir of list) {
    const files = await listRecipeFiles(dir);
    const parsed = await Promise.all(files.map(async (file) => parseRecipeFile(file, await readFile(file, 'utf8'))));
    for (const result of parsed) {
      problems.push(...result.problems);
      if (result.recipe !== undefined) recipes.set(result.recipe.name, result.recipe);
    }
  }
  return { dirs: list, recipes, problems };
}

/**
 * Like `loadRecipes`, for the build path: any problem is fatal, and the
 * thrown `ConfigError` lists every one (issue paths read `file: dotted.path`).
 */
export async function loadRecipesStrict(dirs?: string | readonly string[]): Promise<RecipeBook> {
  const book = await loadRecipes(dirs);
  if (book.problems.length > 0) {
    throw new ConfigError(
      `recipes (${book.dirs.join(', ')})`,
      book.problems.map((p) => ({ path: p.path === '' ? p.file : `${p.file}: ${p.path}`, message: p.message })),
      { hint: 'run `farm recipes check` and fix every line it prints' },
    );
  }
  return book;
}

/** What `farm recipes check` reports. Exit non-zero when `problems` is not empty. */
export interface RecipeCheckResult {
  readonly dir: string;
  /** Files validated, including bad ones. */
  readonly files: number;
  readonly valid: number;
  readonly problems: readonly RecipeProblem[];
  /** `file: dotted.path: message`, one per problem, ready to print. */
  readonly lines: readonly string[];
}

/** `farm recipes check [--dir DIR]`: validates every file of one directory (default: the shipped one). */
export async function checkRecipes(dir: string = SHIPPED_RECIPES_DIR): Promise<RecipeCheckResult> {
  const files = await listRecipeFiles(dir);
  const book = await loadRecipes(dir);
  return {
    dir,
    files: files.length,
    valid: book.recipes.size,
    problems: book.problems,
    lines: book.problems.map(formatRecipeProblem),
  };
}

/** What `farm recipes show` prints. */
export interface ShownRecipe {
  readonly name: string;
  readonly target: string;
  readonly version: string;
  /** The file it came from, or null when the project has no recipe (it then gets the empty recipe). */
  readonly file: string | null;
  readonly effective: EffectiveRecipe;
  /** The hash that goes into the build's cache key. */
  readonly hash: string;
}

/**
 * `farm recipes show <name> --target T --version V [--dir DIR]`: the recipe
 * after the overrides matching T and V. `dirs` as for `loadRecipes`; pass
 * `recipeDirs({ dir })` to see a user directory layered over the shipped one.
 *
 * @throws UsageError for an unknown target or a bad version, ConfigError when
 *   any recipe is invalid.
 */
export async function showRecipe(
  dirs: string | readonly string[] | undefined,
  name: string,
  targetId: string,
  version: string,
): Promise<ShownRecipe> {
  const target = getTarget(targetId);
  const book = await loadRecipesStrict(dirs);
  const normalized = normalizeName(name);
  const loaded = book.recipes.get(normalized);
  const effective = effectiveRecipe(loaded?.recipe, target.id, version);
  return {
    name: normalized,
    target: target.id,
    version,
    file: loaded?.file ?? null,
    effective,
    hash: recipeHash(effective),
  };
}
