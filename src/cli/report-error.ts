/**
 * How the CLI shows an error, pip-style: `error: <message>` and, when the
 * error knows the fix, `hint: <fix>`. farm's own errors are expected
 * outcomes and never show a stack; so is a full disk (ENOSPC, EDQUOT).
 * Anything else is a bug in farm and is shown with its stack so it can be
 * reported.
 */
import { CommanderError } from 'commander';
import { ExitCode, FarmError, UsageError, exitCodeFor } from '../errors.js';
import type { Style } from './render/style.js';

/** Commander's own outcomes that are not errors (`--help`, `--version`). */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Turns a commander parse failure into farm's `UsageError`, so every usage
 * problem prints and exits the same way. `command` is the subcommand path
 * (`images bootstrap`) used for the hint.
 */
export function usageErrorFromCommander(error: CommanderError, command: string): UsageError {
  const message = error.message.replace(/^error: /, '');
  const help = command === '' ? 'farm --help' : `farm ${command} --help`;
  return new UsageError(message, { hint: `see '${help}'` });
}

/** The lines to print for an error and the exit code, without printing. */
export function describeError(error: unknown, style: Style): { lines: string[]; exitCode: ExitCode } {
  if (error instanceof CommanderError && NOT_ERRORS.has(error.code)) {
    return { lines: [], exitCode: ExitCode.ok };
  }
  if (error instanceof FarmError) {
    const [first = '', ...rest] = error.message.split('\n');
    const lines = [`${style.red(style.bold('error:'))} ${first}`, ...rest];
    if (error.hint !== undefined) lines.push(`${style.cyan(style.bold('hint:'))} ${error.hint}`);
    return { lines, exitCode: exitCodeFor(error) };
  }
  const system = error as NodeJS.ErrnoException | null;
  if (system?.code === 'ENOSPC' || system?.code === 'EDQUOT') {
    // A full disk is the host's state, not a bug: every writer of farm writes temp files and renames them.
    return {
      lines: [
        `${style.red(style.bold('error:'))} no space left on the device${system.path === undefined ? '' : ` writing ${system.path}`} (${system.message})`,
        `${style.cyan(style.bold('hint:'))} free space on that filesystem (or raise the quota) and run the command again; nothing half-written was published`,
      ],
      exitCode: ExitCode.failure,
    };
  }
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return {
    lines: [
      `${style.red(style.bold('error:'))} unexpected: ${error instanceof Error ? error.message : String(error)}`,
      style.dim(stack),
      'this is a bug in farm; please report it with the command you ran and the output above',
    ],
    exitCode: exitCodeFor(error),
  };
}
