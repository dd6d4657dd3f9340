/**
 * `farm tokens create|list|revoke`: the access tokens of `farm api`'s upload
 * API and of remote workers. Run on the main host: the token file lives in
 * its private state directory (see src/tokens/token-store.ts).
 */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { parseTargets } from '../../targets/parse-targets.js';
import { TokenName } from '../../tokens/token-record.js';
import { scopeCatalog } from '../../tokens/token-scope.js';
import { TokenStore } from '../../tokens/token-store.js';
import { validate } from '../../validation/validate.js';
import type { CliContext } from '../context.js';
import { examples } from '../options.js';
import { describeScope, renderTokenList } from '../render/token-list.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

interface CreateOptions {
  name: string;
  targets?: string;
  repos?: string;
  upload?: boolean;
}

/** `--repos glibc,musl`: repositories some target publishes into. */
function parseRepositories(value: string, known: readonly string[]): string[] {
  const repos = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (repos.length === 0) throw new UsageError(`--repos is empty; repositories: ${known.join(', ')}`);
  const unknown = repos.filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    throw new UsageError(`--repos: no target publishes into ${unknown.map((u) => `'${u}'`).join(', ')}; repositories: ${known.join(', ')}`);
  }
  return repos;
}

async function create(ctx: CliContext, options: CreateOptions): Promise<ExitCode> {
  const name = validate(TokenName, options.name, '--name');
  const config = await ctx.config();
  const catalog = scopeCatalog(config);
  const targets = options.targets === undefined ? null : parseTargets(options.targets).map((t) => t.id);
  const known = [...new Set(catalog.targets.map((t) => catalog.repositoryOf(t)))];
  const repositories = options.repos === undefined ? null : parseRepositories(options.repos, known);
  if (targets !== null && repositories !== null && !targets.some((t) => repositories.includes(catalog.repositoryOf(t)))) {
    throw new UsageError(`none of the targets ${targets.join(', ')} publishes into ${repositories.join(', ')}: the token could deliver nothing`);
  }
  const store = TokenStore.of(config);
  const { secret, token } = await store.create({ name, kind: options.upload === true ? 'upload' : 'worker', targets, repositories });
  // The secret alone on stdout (`farm tokens create ... > token-file`); the rest on stderr.
  ctx.warn(`token '${token.name}' (${describeScope(token)}); shown once, keep it secret:`);
  ctx.print(secret);
  return ExitCode.ok;
}

async function list(ctx: CliContext): Promise<ExitCode> {
  const tokens = await TokenStore.of(await ctx.config()).tokens();
  ctx.print(...renderTokenList(tokens, ctx.style));
  return ExitCode.ok;
}

async function revoke(ctx: CliContext, name: string): Promise<ExitCode> {
  const token = await TokenStore.of(await ctx.config()).revoke(validate(TokenName, name, 'token name'));
  ctx.print(`token '${token.name}' revoked at ${token.revokedAt ?? '?'}: farm api refuses it (401) from now on`);
  return ExitCode.ok;
}

/** Registers `farm tokens`. */
export function registerTokens(program: Command, ctx: CliContext, run: Run): void {
  const tokens = program
    .command('tokens')
    .description("access tokens for farm api's upload API and for remote workers (stored hashed in the state directory)")
    .addHelpText('after', examples('farm tokens create --name arm-box-1 --targets glibc-armv7', 'farm tokens list', 'farm tokens revoke arm-box-1'));
  tokens
    .command('create')
    .description('make a token and print it once')
    .requiredOption('-n, --name <name>', 'a name to list and revoke it by')
    .option('-t, --targets <ids>', 'targets whose jobs and wheels it may deliver (default: every target)')
    .option('-r, --repos <names>', 'repositories it may write to (default: every repository)')
    .option('--upload', 'an upload token for twine (default: a worker token)')
    .addHelpText(
      'after',
      examples(
        'farm tokens create --name arm-box-1 --targets glibc-armv7,glibc-aarch64 > arm-box-1.token',
        'farm tokens create --name ci-web --repos glibc --upload',
      ),
    )
    .action((options: CreateOptions) => run(create(ctx, options)));
  tokens
    .command('list')
    .description('list the tokens (names and scopes; secrets are not stored)')
    .addHelpText('after', examples('farm tokens list'))
    .action(() => run(list(ctx)));
  tokens
    .command('revoke')
    .description('refuse a token from now on; a worker using it stops taking jobs')
    .argument('<name>', 'the token to revoke')
    .addHelpText('after', examples('farm tokens revoke arm-box-1'))
    .action((name: string) => run(revoke(ctx, name)));
}
