/** `farm build <requirements.txt>... --targets T1,T2`: submit a request and follow it to the end. */
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, MissingFileError, UsageError } from '../../errors.js';
import { TARGETS } from '../../targets/catalog.js';
import { parseTargets } from '../../targets/parse-targets.js';
import type { CliContext } from '../context.js';
import { isDistributed, withEngine } from '../engine-session.js';
import { followRequest } from '../follow-request.js';
import { examples, parseHttpUrl, parsePythonList } from '../options.js';

interface BuildOptions {
  targets?: string;
  python?: string;
  indexUrl?: string;
  wait: boolean;
  json: boolean;
  rebuildFailed?: boolean;
}

/** Checks every requirements file before anything starts, naming the first missing one. */
async function checkFiles(ctx: CliContext, files: readonly string[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const file of files) {
    const full = ctx.resolvePath(file);
    try {
      await access(full);
    } catch {
      throw new MissingFileError(file, { hint: 'pass the path of a requirements file, e.g. farm build requirements.txt --targets glibc-x86_64' });
    }
    resolved.push(full);
  }
  return resolved;
}

async function build(ctx: CliContext, files: string[], options: BuildOptions): Promise<ExitCode> {
  // Usage errors first: they need neither config nor services.
  const explicitTargets = options.targets === undefined ? undefined : parseTargets(options.targets).map((t) => t.id);
  const python = options.python === undefined ? undefined : parsePythonList(options.python);
  const indexUrl = options.indexUrl === undefined ? undefined : parseHttpUrl('--index-url', options.indexUrl);
  const requirements = await checkFiles(ctx, files);
  const config = await ctx.config();
  const targets = explicitTargets ?? Object.keys(config.targets);
  if (targets.length === 0) {
    throw new UsageError('no targets: pass --targets or configure targets in farm.config.yaml', {
      hint: `e.g. --targets glibc-x86_64,musl-x86_64 (valid targets: ${[...TARGETS.keys()].join(', ')})`,
    });
  }
  if (!options.wait && !isDistributed(config)) {
    throw new UsageError('--no-wait needs a shared Redis: without REDIS_URL the build runs inside this farm process', {
      hint: 'set REDIS_URL (or redis.url in farm.config.yaml) and run farm worker, or drop --no-wait',
    });
  }
  return withEngine(ctx, { workers: true }, async (engine, mode) => {
    const id = await engine.submit({
      requirements,
      targets,
      ...(python === undefined ? {} : { python }),
      ...(indexUrl === undefined ? {} : { indexUrl }),
      ...(options.rebuildFailed === true ? { rebuildFailed: true } : {}),
      origin: 'cli',
    });
    if (!options.wait) {
      ctx.print(options.json ? JSON.stringify({ id }) : id);
      return ExitCode.ok;
    }
    return followRequest(ctx, engine, id, targets, {
      json: options.json,
      onInterrupt: mode === 'embedded' ? 'cancel' : 'detach',
    });
  });
}

/** Registers `farm build`. */
export function registerBuild(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('build')
    .description('build wheels for requirement files on the given targets and publish them')
    .argument('<requirements...>', 'requirements files (pip format)')
    .option('-t, --targets <ids>', `comma-separated targets (${[...TARGETS.keys()].join(', ')})`)
    .option('-p, --python <versions>', 'comma-separated Python versions, e.g. 3.11,3.12 (default: configured)')
    .option('--index-url <url>', 'upstream index to resolve and download from (default: upstream.indexUrl)')
    .option('--no-wait', 'submit and print the request id without following it (needs REDIS_URL)')
    .option('--json', 'print the final status as JSON instead of progress and a table')
    .option(
      '--rebuild-failed',
      'build again what failed before with the same sdist, image and recipe (by default such failures are reported, not rerun)',
    )
    .addHelpText(
      'after',
      examples(
        'farm build requirements.txt --targets glibc-x86_64,glibc-armv7,musl-x86_64',
        'farm build requirements.txt dev-requirements.txt --targets musl-x86_64 --python 3.11,3.12',
        'farm build requirements.txt --targets glibc-x86_64 --index-url http://127.0.0.1:8000/simple/',
        'REDIS_URL=redis://farm-redis:6379 farm build requirements.txt --targets glibc-aarch64 --no-wait',
        'farm build requirements.txt --targets glibc-x86_64 --json > result.json',
        'farm build requirements.txt --targets glibc-x86_64 --rebuild-failed',
      ) +
        '\nExit status: 0 when every wheel is published, 1 when a build failed, 2 on a usage or config error.\n',
    )
    .action((files: string[], options: BuildOptions) => run(build(ctx, files, options)));
}
