/** `farm tokens list` and the line `farm tokens create` prints about a new token. Pure. */
import type { TokenRecord } from '../../tokens/token-record.js';
import type { Style } from './style.js';
import { renderTable } from './table.js';

/** "worker; targets glibc-armv7; repositories any" */
export function describeScope(token: Pick<TokenRecord, 'kind' | 'targets' | 'repositories'>): string {
  return `${token.kind}; targets ${token.targets?.join(',') ?? 'any'}; repositories ${token.repositories?.join(',') ?? 'any'}`;
}

/** The tokens as a table, revoked ones marked. The secrets are not known here: only their names. */
export function renderTokenList(tokens: readonly TokenRecord[], style: Style): string[] {
  if (tokens.length === 0) return [style.dim('no tokens yet; make one with: farm tokens create --name arm-box-1 --targets glibc-armv7')];
  return renderTable(
    ['name', 'kind', 'targets', 'repositories', 'created', 'state'],
    [...tokens]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => [
        t.name,
        t.kind,
        t.targets?.join(',') ?? 'any',
        t.repositories?.join(',') ?? 'any',
        t.createdAt,
        t.revokedAt === undefined ? style.green('active') : style.red(`revoked ${t.revokedAt}`),
      ]),
    style,
  );
}
