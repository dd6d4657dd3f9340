/** `farm serve [--port] [--host]`: serve the repositories over HTTP until interrupted. */
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, MissingFileError } from '../../errors.js';
import type { AccessLogEntry } from '../../serve/access-log.js';
import type { CliContext } from '../context.js';
import { examples, parsePort } from '../options.js';
import { formatDuration, type Style } from '../render/style.js';

/** A readable access-log line for terminals: `GET /glibc/simple/x/ 200 …+json 1.2kB 3ms`. Pure. */
export function accessLine(entry: AccessLogEntry, style: Style): string {
  const status = entry.status >= 400 ? style.red(String(entry.status)) : entry.status >= 300 ? style.yellow(String(entry.status)) : String(entry.status);
  return `${style.dim(entry.time)} ${entry.method} ${entry.url} ${status} ${entry.contentType ?? '-'} ${entry.bytes}B ${formatDuration(entry.durationMs)}`;
}

async function serve(ctx: CliContext, options: { port: string; host: string; jsonLog?: boolean }): Promise<ExitCode> {
  const port = parsePort('--port', options.port);
  const { root } = await ctx.config();
  try {
    await access(root);
  } catch {
    throw new MissingFileError(root, { hint: 'build or add wheels first (farm build, farm add), or set root / FARM_ROOT' });
  }
  const { startServer } = await import('../../serve/start-server.js');
  const { listRepositories } = await import('../../repository/list-repositories.js');
  const server = await startServer({
    root,
    port,
    host: options.host,
    // The server's default is pino JSON on stdout, for log collectors.
    ...(options.jsonLog === true ? {} : { accessLog: (entry: AccessLogEntry) => ctx.print(accessLine(entry, ctx.style)) }),
  });
  const repos = listRepositories(root);
  ctx.print(
    `farm serve: ${root} at ${server.url} (Ctrl-C stops)`,
    ...(repos.length === 0 ? ['  no repositories yet'] : repos.map((r) => `  pip install --extra-index-url ${server.url}${r}/simple/ <package>`)),
  );
  await ctx.io.interrupted();
  await server.close();
  ctx.print('farm serve: stopped');
  return ExitCode.ok;
}

/** Registers `farm serve`. */
export function registerServe(program: Command, ctx: CliContext, run: (p: Promise<ExitCode>) => Promise<void>): void {
  program
    .command('serve')
    .description('serve the repositories (PEP 503/691 index, wheels, metadata) over HTTP; pip needs nothing else')
    .option('-p, --port <port>', 'TCP port', '8080')
    .option('--host <address>', 'address to bind; 0.0.0.0 serves other machines', '127.0.0.1')
    .option('--json-log', 'access log as JSON lines (pino) instead of text')
    .addHelpText(
      'after',
      examples('farm serve', 'farm serve --host 0.0.0.0 --port 8080', 'pip install --extra-index-url http://127.0.0.1:8080/glibc/simple/ markupsafe'),
    )
    .action((options: { port: string; host: string; jsonLog?: boolean }) => run(serve(ctx, options)));
}
