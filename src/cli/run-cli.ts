/**
 * Runs the farm CLI once: parses argv, runs the command, and maps whatever
 * went wrong to a message and an exit code in ONE place. Commands throw
 * farm's typed errors and return an exit code; they never call
 * `process.exit` or print errors themselves.
 */
import { CommanderError, type Command } from 'commander';
import { ExitCode } from '../errors.js';
import { createContext, type CliDeps } from './context.js';
import type { CliIo } from './io.js';
import { buildProgram } from './program.js';
import { describeError, usageErrorFromCommander } from './report-error.js';

/** Runs `farm <argv...>` and returns the exit code (0 ok, 1 failures, 2 usage/config). */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<ExitCode> {
  const ctx = createContext(io, deps);
  const result: { code: ExitCode } = { code: ExitCode.ok };
  const program = buildProgram(ctx, result);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (raw) {
    // `farm` alone (or `farm images`): commander already printed the help.
    if (raw instanceof CommanderError && raw.code === 'commander.help') return ExitCode.usage;
    const error =
      raw instanceof CommanderError && raw.exitCode !== 0 ? usageErrorFromCommander(raw, commandPath(program, argv)) : raw;
    const { lines, exitCode } = describeError(error, ctx.style);
    if (lines.length > 0) ctx.warn(...lines);
    return exitCode;
  }
}

/** The subcommand names at the start of argv (`images bootstrap`), for help hints. */
export function commandPath(program: Command, argv: readonly string[]): string {
  const names: string[] = [];
  let current = program;
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    const sub = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub === undefined) break;
    names.push(sub.name());
    current = sub;
  }
  return names.join(' ');
}
