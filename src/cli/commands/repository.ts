/** `farm index`, `farm add`, `farm yank`, `farm unyank`: the repositories and their index. */
import type { Command } from 'commander';
import { ExitCode, NotFoundError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { examples } from '../options.js';
import { renderAdd, renderRegenerate, renderYank } from '../render/repository-results.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** Tells the user why nothing happens while another writer holds a repository. */
const lockWait = (ctx: CliContext) => () => ctx.warn('waiting for another farm process writing this repository…');

async function index(ctx: CliContext, options: { repo?: string; full?: boolean }): Promise<ExitCode> {
  const { root } = await ctx.config();
  const { listRepositories } = await import('../../repository/list-repositories.js');
  const { regenerateIndex } = await import('../../index/regenerate-index.js');
  const repos = options.repo !== undefined ? [options.repo] : listRepositories(root);
  if (repos.length === 0) {
    ctx.print(`no repositories under ${root} yet; build or add wheels first (farm build, farm add)`);
    return ExitCode.ok;
  }
  let failed = false;
  for (const repository of repos) {
    const result = await regenerateIndex({ root, repository, full: options.full === true, onLockWait: lockWait(ctx) });
    ctx.print(...renderRegenerate(result, ctx.style));
    failed ||= result.rejected.length > 0 || result.problems.length > 0 || result.altered.length > 0;
  }
  return failed ? ExitCode.failure : ExitCode.ok;
}

async function add(ctx: CliContext, paths: string[], options: { repo: string; replace?: boolean; index: boolean }): Promise<ExitCode> {
  const { root } = await ctx.config();
  const { addWheels } = await import('../../publishing/add-wheels.js');
  const result = await addWheels({
    root,
    repository: options.repo,
    paths: paths.map((p) => ctx.resolvePath(p)),
    replace: options.replace === true,
    index: options.index,
    onLockWait: lockWait(ctx),
  });
  ctx.print(...renderAdd(options.repo, result, ctx.style));
  return result.rejected.length > 0 ? ExitCode.failure : ExitCode.ok;
}

interface YankCliOptions {
  repo?: string;
  reason?: string;
}

/** Yanks (or unyanks) in the named repository, or in every repository that has the release. */
async function setYanked(ctx: CliContext, yanked: boolean, project: string, release: string, options: YankCliOptions): Promise<ExitCode> {
  const { root } = await ctx.config();
  const { listRepositories } = await import('../../repository/list-repositories.js');
  const { unyank, yank } = await import('../../publishing/yank.js');
  const which = release.endsWith('.whl') ? { file: release } : { version: release };
  const repos = options.repo !== undefined ? [options.repo] : listRepositories(root);
  let found = 0;
  for (const repository of repos) {
    try {
      const common = { root, repository, project, ...which, onLockWait: lockWait(ctx) };
      const result = yanked ? await yank({ ...common, ...(options.reason === undefined ? {} : { reason: options.reason }) }) : await unyank(common);
      ctx.print(...renderYank(repository, yanked, result, ctx.style));
      found += 1;
    } catch (error) {
      // Without --repo, a repository lacking the release is not an error; all of them lacking it is.
      if (!(error instanceof NotFoundError) || options.repo !== undefined) throw error;
    }
  }
  if (found === 0) {
    throw new NotFoundError(`${project} ${release}: not in any repository under ${root}${repos.length === 0 ? ' (there are none)' : ` (${repos.join(', ')})`}`);
  }
  return ExitCode.ok;
}

/** Registers the repository commands. */
export function registerRepositoryCommands(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('index')
    .description('regenerate the index, taking over wheels copied straight into <repo>/packages/')
    .option('-r, --repo <name>', 'only this repository (default: all under the root)')
    .option('--full', 'rebuild every page from the inventory and rescan packages/')
    .addHelpText('after', examples('farm index', 'farm index --repo glibc --full'))
    .action((options: { repo?: string; full?: boolean }) => run(index(ctx, options)));

  program
    .command('add')
    .description('collect wheels (files or directories) into a repository, checked, and update its index')
    .argument('<paths...>', 'wheel files or directories searched for *.whl')
    .requiredOption('-r, --repo <name>', 'repository to add to, e.g. glibc or musl')
    .option('--replace', 'overwrite a wheel of the same name with different bytes (default: refuse)')
    .option('--no-index', 'do not regenerate the index afterwards')
    .addHelpText('after', examples('farm add ./wheelhouse --repo glibc', 'farm add dist/mypkg-1.0-py3-none-any.whl --repo musl'))
    .action((paths: string[], options: { repo: string; replace?: boolean; index: boolean }) => run(add(ctx, paths, options)));

  const yankHelp = (verb: string) =>
    examples(`farm ${verb} mypkg 1.2.0${verb === 'yank' ? ' --reason "broken on armv7"' : ''}`, `farm ${verb} mypkg mypkg-1.2.0-cp311-cp311-linux_armv7l.whl --repo glibc`);
  program
    .command('yank')
    .description('mark a release (or one file) as yanked (PEP 592): pip skips it unless pinned with ==')
    .argument('<project>', 'project name')
    .argument('<version-or-file>', 'a version (all its files) or one wheel filename')
    .option('-r, --repo <name>', 'only in this repository (default: every repository that has it)')
    .option('--reason <text>', 'why; pip shows it when it installs the file anyway')
    .addHelpText('after', yankHelp('yank'))
    .action((project: string, release: string, options: YankCliOptions) => run(setYanked(ctx, true, project, release, options)));

  program
    .command('unyank')
    .description('take a yank back')
    .argument('<project>', 'project name')
    .argument('<version-or-file>', 'a version (all its files) or one wheel filename')
    .option('-r, --repo <name>', 'only in this repository (default: every repository that has it)')
    .addHelpText('after', yankHelp('unyank'))
    .action((project: string, release: string, options: YankCliOptions) => run(setYanked(ctx, false, project, release, options)));
}
