/** `farm logs <request-id> [<package>] [--target T]`: print (or follow) stored build logs. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stateDir } from '../../config/load-config.js';
import { ExitCode, NotFoundError, UsageError } from '../../errors.js';
import type { Engine } from '../../pipeline/index.js';
import { logsDir } from '../../pipeline/contract/log-paths.js';
import { FINAL_REQUEST_STATES, FINAL_ROW_STATES, rowKey, type PackageRow } from '../../pipeline/contract/request-types.js';
import { getTarget } from '../../targets/parse-targets.js';
import { normalizeName } from '../../wheels/normalize-name.js';
import type { CliContext } from '../context.js';
import { withEngine } from '../engine-session.js';
import { examples } from '../options.js';
import { copyFile, followFile } from '../terminal/follow-file.js';

interface LogsOptions {
  target?: string;
  python?: string;
  follow: boolean;
}

const WAIT_FOR_LOG_MS = 500;

/** The rows a `farm logs` invocation means. */
export function selectRows(rows: readonly PackageRow[], pkg: string | undefined, options: LogsOptions): PackageRow[] {
  const name = pkg === undefined ? undefined : normalizeName(pkg);
  return rows.filter(
    (r) =>
      (name === undefined || r.name === name) &&
      (options.target === undefined || r.target === options.target) &&
      (options.python === undefined || r.python === options.python),
  );
}

async function pathOf(engine: Engine, requestId: string, row: PackageRow): Promise<string | undefined> {
  if (row.logPath !== undefined) return row.logPath;
  try {
    return await engine.logPath(requestId, row.name, row.target, row.python);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** A build log found on disk by the pipeline's layout (`<stateDir>/logs/<request>/<name>/<target>-py<python>.log`). */
interface DiskLog {
  name: string;
  target: string;
  python: string;
  file: string;
}

/**
 * The build logs of a request that the engine no longer knows: an embedded
 * `farm build` keeps its Redis only while it runs, but its logs stay on disk.
 */
async function diskLogs(state: string, requestId: string, pkg: string | undefined, options: LogsOptions): Promise<DiskLog[]> {
  const dir = path.join(logsDir(state), requestId);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const wanted = pkg === undefined ? undefined : normalizeName(pkg);
  const found: DiskLog[] = [];
  for (const name of names.filter((n) => !n.startsWith('_') && (wanted === undefined || n === wanted)).sort()) {
    let files: string[];
    try {
      files = await readdir(path.join(dir, name));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      const match = /^(.+)-py(\d+\.\d+)\.log$/.exec(file);
      if (match === null) continue;
      const [, target = '', python = ''] = match;
      if ((options.target !== undefined && target !== options.target) || (options.python !== undefined && python !== options.python)) continue;
      found.push({ name, target, python, file: path.join(dir, name, file) });
    }
  }
  return found;
}

async function logsFromDisk(ctx: CliContext, requestId: string, pkg: string | undefined, options: LogsOptions, notFound: NotFoundError): Promise<ExitCode> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(requestId)) throw notFound;
  const found = await diskLogs(stateDir(await ctx.config()), requestId, pkg, options);
  if (found.length === 0) throw notFound;
  if (options.follow) throw new UsageError(`request ${requestId} has finished; its logs are printed without --follow`);
  for (const log of found) {
    if (found.length > 1) ctx.print(ctx.style.bold(`==> ${log.name} ${log.target} py${log.python}: ${log.file} <==`));
    await copyFile(log.file, ctx.io.out);
  }
  return ExitCode.ok;
}

async function logs(ctx: CliContext, requestId: string, pkg: string | undefined, options: LogsOptions): Promise<ExitCode> {
  if (options.target !== undefined) getTarget(options.target);
  return withEngine(ctx, { workers: false }, async (engine) => {
    let status;
    try {
      status = await engine.status(requestId);
    } catch (error) {
      if (error instanceof NotFoundError) return logsFromDisk(ctx, requestId, pkg, options, error);
      throw error;
    }
    const abort = new AbortController();
    if (options.follow) void ctx.io.interrupted().then(() => abort.abort());
    let rows = selectRows(status.rows, pkg, options);
    // Following a request that is still resolving: its rows appear once pip has pinned the set.
    while (options.follow && rows.length === 0 && !FINAL_REQUEST_STATES.has(status.state) && !abort.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_LOG_MS));
      status = await engine.status(requestId);
      rows = selectRows(status.rows, pkg, options);
    }
    if (rows.length === 0) {
      const names = [...new Set(status.rows.map((r) => r.name))].sort();
      throw new NotFoundError(
        `request ${requestId} has no ${[pkg, options.target, options.python].filter((s) => s !== undefined).join(' on ') || 'packages'}`,
        names.length === 0 ? {} : { hint: `its packages: ${names.join(', ')}` },
      );
    }
    if (options.follow) return follow(ctx, engine, requestId, rows, abort.signal);
    // Without a package, the interesting logs are those of builds that ran.
    const withLogs: [PackageRow, string][] = [];
    for (const row of rows) {
      const file = await pathOf(engine, requestId, row);
      if (file !== undefined) withLogs.push([row, file]);
    }
    if (withLogs.length === 0) {
      ctx.warn(`no build log: ${rows.map((r) => `${r.name} on ${r.target} is ${r.state}`).join('; ')}`);
      return ExitCode.failure;
    }
    for (const [row, file] of withLogs) {
      if (withLogs.length > 1) ctx.print(ctx.style.bold(`==> ${row.name} ${row.version} ${row.target} py${row.python} (${row.state}): ${file} <==`));
      await copyFile(file, ctx.io.out);
    }
    return ExitCode.ok;
  });
}

async function follow(ctx: CliContext, engine: Engine, requestId: string, rows: PackageRow[], signal: AbortSignal): Promise<ExitCode> {
  if (new Set(rows.map(rowKey)).size > 1) {
    throw new UsageError(
      `--follow needs one build; ${rows.length} match: ${rows.map((r) => `${r.name} ${r.target} py${r.python}`).join(', ')}`,
      { hint: 'name the package and add --target (and --python)' },
    );
  }
  const row = rows[0]!;
  const finished = async () => {
    const now = await engine.status(requestId);
    const current = now.rows.find((r) => rowKey(r) === rowKey(row));
    return FINAL_REQUEST_STATES.has(now.state) || (current !== undefined && FINAL_ROW_STATES.has(current.state));
  };
  // The log appears when the build starts; until then the job is queued.
  let file = await pathOf(engine, requestId, row);
  while (file === undefined && !signal.aborted) {
    if (await finished()) {
      ctx.warn(`no build log: ${row.name} on ${row.target} did not build`);
      return ExitCode.failure;
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_LOG_MS));
    file = await pathOf(engine, requestId, row);
  }
  if (file === undefined) return ExitCode.failure;
  await followFile(file, ctx.io.out, finished, signal);
  return ExitCode.ok;
}

/** Registers `farm logs`. */
export function registerLogs(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('logs')
    .description('print the stored build log of a package, or of every build of a request')
    .argument('<request-id>', 'a request id from farm build or farm status')
    .argument('[package]', 'the package whose log to print (default: all that have one)')
    .option('-t, --target <id>', 'only the build on this target')
    .option('-p, --python <version>', 'only the build for this Python version')
    .option('-f, --follow', 'keep printing while the build runs')
    .addHelpText(
      'after',
      examples('farm logs 01J9Z7K3TQ', 'farm logs 01J9Z7K3TQ markupsafe --target glibc-armv7', 'farm logs 01J9Z7K3TQ pillow --target musl-x86_64 --follow'),
    )
    .action((id: string, pkg: string | undefined, options: { target?: string; python?: string; follow?: boolean }) =>
      run(
        logs(ctx, id, pkg, {
          ...(options.target === undefined ? {} : { target: options.target }),
          ...(options.python === undefined ? {} : { python: options.python }),
          follow: options.follow === true,
        }),
      ),
    );
}
