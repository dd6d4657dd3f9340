/** `farm images list|bootstrap|pull`: the builder images. */
import path from 'node:path';
import type { Command } from 'commander';
import cliTruncate from 'cli-truncate';
import { stateDir } from '../../config/load-config.js';
import { ExitCode } from '../../errors.js';
import { targetSettings } from '../../config/target-settings.js';
import type { ImageProgressEvent } from '../../images/progress.js';
import { formatProgress } from '../../images/progress.js';
import { TARGETS, type Target } from '../../targets/catalog.js';
import { parseTargets } from '../../targets/parse-targets.js';
import type { CliContext } from '../context.js';
import { examples, parsePythonList } from '../options.js';
import { renderBootstrapResults, renderImageList } from '../render/image-results.js';
import { LiveBlock } from '../terminal/live-block.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** `--targets`, else the configured targets, else every target. */
export async function chosenTargets(ctx: CliContext, value: string | undefined): Promise<Target[]> {
  if (value !== undefined) return parseTargets(value);
  const configured = Object.keys((await ctx.config()).targets);
  return configured.length > 0 ? parseTargets(configured.join(',')) : [...TARGETS.values()];
}

/** Without a terminal, a still-running step prints its latest line this often. */
const HEARTBEAT_MS = 30_000;

/**
 * Shows image progress: start and done lines stay. On a terminal the latest
 * output line of the running step is redrawn in place below them; in a log
 * (CI), section headers (`==> …`), phase changes and a heartbeat every 30 s
 * are printed instead of thousands of compiler lines (the full output is in
 * the image's build log).
 */
export function imageProgressPrinter(ctx: CliContext, now: () => number = Date.now): { onProgress: (event: ImageProgressEvent) => void; end(): void } {
  const block = new LiveBlock(ctx.io);
  const width = Math.max(20, ctx.io.columns - 1);
  let lastPhase = '';
  let lastPrinted = now();
  return {
    onProgress(event) {
      if (event.kind === 'line') {
        if (ctx.io.isTTY) {
          block.draw([ctx.style.dim(cliTruncate(formatProgress(event), width))]);
        } else if (event.phase !== lastPhase || event.line.startsWith('==>') || now() - lastPrinted >= HEARTBEAT_MS) {
          ctx.print(formatProgress(event));
          lastPrinted = now();
        }
        lastPhase = event.phase;
        return;
      }
      lastPrinted = now();
      block.clear();
      ctx.print(event.kind === 'done' && event.status !== 'skipped' ? ctx.style.green(formatProgress(event)) : formatProgress(event));
    },
    end: () => block.clear(),
  };
}

async function bootstrap(ctx: CliContext, options: { targets?: string; python?: string; force?: boolean }): Promise<ExitCode> {
  const targets = await chosenTargets(ctx, options.targets);
  const python = options.python === undefined ? undefined : parsePythonList(options.python);
  const config = await ctx.config();
  const { bootstrapImages } = await import('../../images/index.js');
  const printer = imageProgressPrinter(ctx);
  try {
    const results = await bootstrapImages({
      targets,
      ...(python === undefined ? {} : { python }),
      force: options.force === true,
      mirror: config.images.mirror,
      suite: config.images.suite,
      logDir: path.join(stateDir(config), 'logs', 'images'),
      onProgress: printer.onProgress,
    });
    printer.end();
    ctx.print('', ...renderBootstrapResults(results, ctx.style));
  } finally {
    printer.end();
  }
  return ExitCode.ok;
}

/** Registers `farm images` and its subcommands. */
export function registerImages(program: Command, ctx: CliContext, run: Run): void {
  const images = program
    .command('images')
    .description('list, build offline, or pull the builder images')
    .addHelpText('after', examples('farm images list', 'farm images bootstrap --targets glibc-x86_64,glibc-armv7,musl-x86_64', 'farm images pull --targets glibc-aarch64'));

  images
    .command('bootstrap')
    .description('build builder images offline from a Debian mirror only (no container registry); present images are skipped')
    .option('-t, --targets <ids>', 'targets to build images for (default: configured targets, else all)')
    .option('-p, --python <versions>', "Python versions (default 3.11, the Debian suite's)")
    .option('--force', 'rebuild even when an up-to-date image is present')
    .addHelpText(
      'after',
      examples(
        'sudo farm images bootstrap --targets glibc-x86_64,glibc-armv7,musl-x86_64',
        'sudo farm images bootstrap --targets musl-x86_64 --force',
      ) + '\nNeeds root (debootstrap) and, for ARM targets on x86_64, binfmt/qemu (see farm doctor).\n',
    )
    .action((options: { targets?: string; python?: string; force?: boolean }) => run(bootstrap(ctx, options)));

  images
    .command('list')
    .description('show, per target, the builder image its builds use, its source, its Python versions and whether it is present')
    .option('-t, --targets <ids>', 'only these targets')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('farm images list', 'farm images list --targets glibc-armv7 --json'))
    .action((options: { targets?: string; json?: boolean }) => run(list(ctx, options)));

  images
    .command('pull')
    .description("pull the official (or configured) builder images of targets, with progress")
    .option('-t, --targets <ids>', 'targets whose images to pull (default: configured targets, else all)')
    .addHelpText(
      'after',
      examples('farm images pull --targets glibc-x86_64,musl-x86_64') +
        '\nOffline sites: farm images bootstrap builds the images from a Debian mirror instead.\n',
    )
    .action((options: { targets?: string }) => run(pull(ctx, options)));
}

/** A client for the first configured Docker host (where builds run by default). */
async function dockerOf(ctx: CliContext) {
  const config = await ctx.config();
  const { dockerClientFor } = await import('../../docker/docker-hosts.js');
  return dockerClientFor(config.docker.hosts[0]!, { env: ctx.io.env });
}

async function list(ctx: CliContext, options: { targets?: string; json?: boolean }): Promise<ExitCode> {
  const wanted = options.targets === undefined ? undefined : new Set(parseTargets(options.targets).map((t) => t.id));
  const config = await ctx.config();
  const { listImages } = await import('../../images/index.js');
  const rows = (await listImages(config, await dockerOf(ctx))).filter((r) => wanted === undefined || wanted.has(r.target));
  if (options.json === true) ctx.print(JSON.stringify(rows, null, 2));
  else ctx.print(...renderImageList(rows, ctx.style));
  return ExitCode.ok;
}

async function pull(ctx: CliContext, options: { targets?: string }): Promise<ExitCode> {
  const targets = await chosenTargets(ctx, options.targets);
  const config = await ctx.config();
  const docker = await dockerOf(ctx);
  const { pullImage } = await import('../../images/index.js');
  const printer = imageProgressPrinter(ctx);
  try {
    for (const target of targets) {
      const image = targetSettings(config, target).image ?? target.officialImage;
      await pullImage(docker, image, { target: target.id, platform: target.platform, onProgress: printer.onProgress });
    }
  } finally {
    printer.end();
  }
  return ExitCode.ok;
}
