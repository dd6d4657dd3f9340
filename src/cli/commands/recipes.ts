/** `farm recipes check|show`: validate recipes, print an effective one. */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ExitCode } from '../../errors.js';
import type { CliContext } from '../context.js';
import { examples } from '../options.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

async function check(ctx: CliContext, options: { dir?: string }): Promise<ExitCode> {
  const config = await ctx.config();
  const { checkRecipes, SHIPPED_RECIPES_DIR } = await import('../../recipes/load-recipes.js');
  const dir = options.dir !== undefined ? ctx.resolvePath(options.dir) : (config.recipes.dir ?? SHIPPED_RECIPES_DIR);
  const result = await checkRecipes(dir);
  if (result.lines.length > 0) ctx.print(...result.lines.map((l) => ctx.style.red(l)), '');
  const summary = `${result.dir}: ${result.files} recipe file${result.files === 1 ? '' : 's'}, ${result.valid} valid, ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`;
  ctx.print(result.problems.length === 0 ? ctx.style.green(summary) : summary);
  return result.problems.length === 0 ? ExitCode.ok : ExitCode.failure;
}

async function show(ctx: CliContext, name: string, options: { target: string; version: string; dir?: string; json?: boolean }): Promise<ExitCode> {
  const config = await ctx.config();
  const { recipeDirs, showRecipe } = await import('../../recipes/load-recipes.js');
  const dirs = recipeDirs({ dir: options.dir === undefined ? undefined : ctx.resolvePath(options.dir), configDir: config.recipes.dir });
  const shown = await showRecipe(dirs, name, options.target, options.version);
  if (options.json === true) {
    ctx.print(JSON.stringify(shown, null, 2));
  } else {
    ctx.print(
      `# ${shown.name} ${shown.version} on ${shown.target}`,
      `# from: ${shown.file ?? '(no recipe: defaults)'}`,
      `# hash: ${shown.hash}`,
      stringify(shown.effective).trimEnd(),
    );
  }
  return ExitCode.ok;
}

/** Registers `farm recipes` and its subcommands. */
export function registerRecipes(program: Command, ctx: CliContext, run: Run): void {
  const recipes = program
    .command('recipes')
    .description('check the build recipes, or print the effective recipe of a package')
    .addHelpText('after', examples('farm recipes check', 'farm recipes show pillow --target musl-x86_64 --version 10.4.0'));

  recipes
    .command('check')
    .description('validate every recipe file, reporting every problem as file: dotted.path: message')
    .option('-d, --dir <dir>', 'recipe directory (default: recipes.dir / FARM_RECIPES, else the shipped recipes)')
    .addHelpText('after', examples('farm recipes check', 'farm recipes check --dir ./my-recipes'))
    .action((options: { dir?: string }) => run(check(ctx, options)));

  recipes
    .command('show')
    .description('print the recipe of a package after the overrides for a target and version')
    .argument('<name>', 'project name')
    .requiredOption('-t, --target <id>', 'target id')
    .requiredOption('-v, --version <version>', 'package version')
    .option('-d, --dir <dir>', 'user recipe directory layered over the shipped one')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      examples('farm recipes show cryptography --target glibc-armv7 --version 43.0.0', 'farm recipes show lxml --target musl-x86_64 --version 5.3.0 --json'),
    )
    .action((name: string, options: { target: string; version: string; dir?: string; json?: boolean }) => run(show(ctx, name, options)));
}
