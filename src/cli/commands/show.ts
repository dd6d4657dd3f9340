/** `farm show <project> <version>`: a release's files in every repository, with their provenance. */
import type { Command } from 'commander';
import { ExitCode, NotFoundError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { examples } from '../options.js';
import { renderRelease } from '../render/release-provenance.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

async function show(ctx: CliContext, project: string, version: string, options: { repo?: string; json?: boolean }): Promise<ExitCode> {
  const { root } = await ctx.config();
  const { listRepositories } = await import('../../repository/list-repositories.js');
  const { findRelease } = await import('../../repository/find-release.js');
  const repos = options.repo !== undefined ? [options.repo] : listRepositories(root);
  const releases = findRelease(root, repos, project, version);
  if (releases.length === 0) {
    throw new NotFoundError(`${project} ${version}: not in any repository under ${root}${repos.length === 0 ? ' (there are none)' : ` (${repos.join(', ')})`}`);
  }
  if (options.json === true) ctx.print(JSON.stringify(releases, null, 2));
  else ctx.print(...renderRelease(releases, ctx.style));
  return ExitCode.ok;
}

/** Registers `farm show`. */
export function registerShow(program: Command, ctx: CliContext, run: Run): void {
  program
    .command('show')
    .description('show the files of a release and how each was built: sdist, build dependencies, image, recipe, network, vendored libraries')
    .argument('<project>', 'project name, in any spelling')
    .argument('<version>', 'version (PEP 440: 1.0 finds 1.0.0)')
    .option('-r, --repo <name>', 'only this repository (default: every repository)')
    .option('--json', 'print the inventory records as JSON')
    .addHelpText('after', examples('farm show cffi 1.15.1', 'farm show Pillow 10.0.0 --repo glibc --json'))
    .action((project: string, version: string, options: { repo?: string; json?: boolean }) => run(show(ctx, project, version, options)));
}
