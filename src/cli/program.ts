/**
 * The `farm` command tree (commander). Each command lives in
 * `commands/<name>.ts` and registers itself here; the feature modules do the
 * work, commands only parse options, call them and print.
 */
import { Command } from 'commander';
import type { ExitCode } from '../errors.js';
import { farmVersion } from '../farm-version.js';
import { registerBuild } from './commands/build.js';
import { registerDoctor } from './commands/doctor.js';
import { registerImages } from './commands/images.js';
import { registerLogs } from './commands/logs.js';
import { registerRecipes } from './commands/recipes.js';
import { registerRepositoryCommands } from './commands/repository.js';
import { registerRequestCommands } from './commands/requests.js';
import { registerServe } from './commands/serve.js';
import { registerShow } from './commands/show.js';
import { registerTokens } from './commands/tokens.js';
import { registerTriggers } from './commands/triggers.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkers } from './commands/workers.js';
import type { CliContext } from './context.js';
import { examples } from './options.js';

/** Builds the program. Commands store their exit code in `result`. */
export function buildProgram(ctx: CliContext, result: { code: ExitCode }): Command {
  const program = new Command('farm');
  // These settings are copied into every subcommand created after them.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      // Parse errors are printed by runCli's single catch, like every other error.
      outputError: () => {},
    })
    .helpCommand(true)
    // Root options only before the subcommand, so `recipes show --version V`
    // is the subcommand's option, not farm's version. `--config` is added to
    // every command instead (see addConfigOption).
    .enablePositionalOptions();
  program
    .description('build, collect and serve Python wheels for glibc, musl and ARM targets')
    .version(farmVersion(), '-V, --version')
    .option(CONFIG_FLAGS, CONFIG_HELP)
    .addHelpText(
      'after',
      examples(
        'farm doctor',
        'farm images bootstrap --targets glibc-x86_64,glibc-armv7,musl-x86_64',
        'farm build requirements.txt --targets glibc-x86_64,glibc-armv7,musl-x86_64',
        'farm serve --port 8080',
        'pip install --extra-index-url http://127.0.0.1:8080/glibc/simple/ markupsafe',
      ) +
        '\nEnvironment: FARM_CONFIG, FARM_ROOT, FARM_INDEX_URL, FARM_RECIPES, REDIS_URL, FARM_REDIS_PREFIX, DOCKER_HOST, NO_COLOR.\n' +
        "Run 'farm <command> --help' for a command's options and examples.\n",
    )
    .hook('preAction', (thisCommand, actionCommand) => {
      const own = (actionCommand.opts() as { config?: string }).config;
      ctx.configFile = own ?? (thisCommand.opts() as { config?: string }).config;
    });

  const run = async (work: Promise<ExitCode>) => {
    result.code = await work;
  };
  registerBuild(program, ctx, run);
  registerRequestCommands(program, ctx, run);
  registerLogs(program, ctx, run);
  registerWorker(program, ctx, run);
  registerWorkers(program, ctx, run);
  registerRepositoryCommands(program, ctx, run);
  registerShow(program, ctx, run);
  registerServe(program, ctx, run);
  registerImages(program, ctx, run);
  registerRecipes(program, ctx, run);
  registerDoctor(program, ctx, run);
  registerTriggers(program, ctx, run);
  registerTokens(program, ctx, run);
  addConfigOption(program);
  return program;
}

const CONFIG_FLAGS = '--config <file>';
const CONFIG_HELP = 'config file (overrides FARM_CONFIG; default ./farm.config.yaml)';

/** Gives every runnable command `--config`, so it works after the subcommand too. */
function addConfigOption(command: Command): void {
  for (const sub of command.commands) {
    if (sub.commands.length > 0) addConfigOption(sub);
    else sub.option(CONFIG_FLAGS, CONFIG_HELP);
  }
}
