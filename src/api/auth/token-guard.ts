/**
 * Token checks for `farm api`'s routes: 401 for a missing, unknown or
 * revoked token, 403 for one used outside its scope. The token's name goes
 * to the log, its secret never does (the Authorization header is redacted).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenRecord } from '../../tokens/token-record.js';
import { authenticate, authorize, type ScopeCatalog, type TokenAccess } from '../../tokens/token-scope.js';
import type { TokenStore } from '../../tokens/token-store.js';
import { header } from '../forges.js';
import { presentedSecret } from './presented-secret.js';

/** A refusal: the HTTP status and why. */
export class AccessDenied extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AccessDenied';
  }
}

/** Authenticates and authorizes requests against the token file. */
export class TokenGuard {
  constructor(
    private readonly store: TokenStore,
    private readonly catalog: ScopeCatalog,
  ) {}

  /**
   * The request's token, if it may do each of `accesses`.
   *
   * @throws AccessDenied (401 or 403).
   */
  async check(request: FastifyRequest, ...accesses: TokenAccess[]): Promise<TokenRecord> {
    const found = authenticate(await this.store.tokens(), presentedSecret(header(request.headers, 'authorization')));
    if (!found.ok) throw new AccessDenied(401, found.reason);
    this.authorize(found.token, ...accesses);
    request.log.info({ token: found.token.name }, 'token accepted');
    return found.token;
  }

  /** @throws AccessDenied (403) when `token` may not do one of `accesses`. */
  authorize(token: TokenRecord, ...accesses: TokenAccess[]): void {
    for (const access of accesses) {
      const decision = authorize(token, access, this.catalog);
      if (!decision.ok) throw new AccessDenied(403, decision.reason);
    }
  }
}

/**
 * Sends an error the way uploaders show it: JSON for farm's workers, and the
 * message as the HTTP reason phrase, which is what twine prints (as
 * warehouse does).
 */
export function sendError(reply: FastifyReply, statusCode: number, error: string, message: string): FastifyReply {
  reply.raw.statusMessage = reasonPhrase(message);
  if (statusCode === 401) reply.header('www-authenticate', 'Basic realm="farm", charset="UTF-8"');
  return reply.code(statusCode).send({ error, message });
}

/** A reason phrase must be one line of visible Latin-1 text. */
function reasonPhrase(message: string): string {
  const line = message.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
