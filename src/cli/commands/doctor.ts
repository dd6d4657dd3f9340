/** `farm doctor`: check the host and name the fix for every problem. */
import type { Command } from 'commander';
import { targetSettings } from '../../config/target-settings.js';
import { ExitCode } from '../../errors.js';
import { TARGETS, type Target } from '../../targets/catalog.js';
import { parseTargets } from '../../targets/parse-targets.js';
import type { CliContext } from '../context.js';
import { platformOfNodeArch, runDoctor } from '../doctor/checks.js';
import { examples } from '../options.js';
import { renderDoctorReport } from '../render/doctor-report.js';

async function doctor(ctx: CliContext, options: { targets?: string; json: boolean }): Promise<ExitCode> {
  const explicit = options.targets === undefined ? undefined : parseTargets(options.targets);
  const config = await ctx.config();
  const configured = Object.keys(config.targets).map((id) => TARGETS.get(id)!);
  const targets: Target[] = explicit ?? (configured.length > 0 ? configured : [...TARGETS.values()]);
  const { hostProbes } = await import('../doctor/host-probes.js');
  const probes = { ...hostProbes(config, ctx.io.env, ctx.deps.binfmtDir), ...ctx.deps.doctorProbes };
  const results = await runDoctor(
    {
      config,
      targets,
      pythonFor: (t) => targetSettings(config, t).pythonVersions,
      hostPlatform: platformOfNodeArch(process.arch),
    },
    probes,
  );
  if (options.json) ctx.print(JSON.stringify(results, null, 2));
  else ctx.print(`farm doctor: ${targets.map((t) => t.id).join(', ')}`, '', ...renderDoctorReport(results, ctx.style));
  return results.some((r) => r.status === 'fail') ? ExitCode.failure : ExitCode.ok;
}

/** Registers `farm doctor`. */
export function registerDoctor(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('doctor')
    .description('check Docker, binfmt/qemu, Redis, builder images and disk space, with the fix for each problem')
    .option('-t, --targets <ids>', 'targets to check (default: configured targets, else all)')
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      examples('farm doctor', 'farm doctor --targets glibc-x86_64,glibc-armv7,musl-x86_64') +
        '\nExit status: 0 when every check passes (warnings allowed), 1 when one fails.\n',
    )
    .action((options: { targets?: string; json?: boolean }) =>
      run(doctor(ctx, { ...(options.targets === undefined ? {} : { targets: options.targets }), json: options.json === true })),
    );
}
