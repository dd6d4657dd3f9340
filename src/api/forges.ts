/**
 * What differs between forges: the headers that carry the event name, the
 * delivery id and the signature, how a signature is checked, and the payload
 * parser. The request handler is the same for all of them.
 */
import type { Forge } from '../config/schema.js';
import type { PushEvent } from '../tracked/push-event.js';
import { parseGiteaPush } from './payloads/gitea.js';
import { parseGithubPush } from './payloads/github.js';
import { parseGitlabPush } from './payloads/gitlab.js';
import { verifyHmacSha256, verifyToken } from './signature.js';

/** Incoming headers, lower-case names as node gives them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** First value of a header. */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How `farm api` reads one forge's webhooks. */
export interface ForgeSpec {
  forge: Forge;
  /** The event name header's value; `undefined` when absent. */
  event(headers: Headers): string | undefined;
  /** True for push events; anything else is acknowledged and ignored. */
  isPush(event: string | undefined): boolean;
  /** True for the "ping"/test event a forge sends when a hook is created. */
  isPing(event: string | undefined): boolean;
  /** The forge's delivery id, stable across redeliveries, when it sends one. */
  deliveryId(headers: Headers): string | undefined;
  /** True when the request is authentic under `secret`. */
  verify(secret: string, headers: Headers, rawBody: Uint8Array): boolean;
  /** Validates the JSON payload and reduces it to a `PushEvent`. Throws `ConfigError`. */
  parse(body: unknown): PushEvent;
  /** Header names that carry secrets or signatures; never logged. */
  secretHeaders: readonly string[];
}

const github: ForgeSpec = {
  forge: 'github',
  event: (h) => header(h, 'x-github-event'),
  isPush: (e) => e === 'push',
  isPing: (e) => e === 'ping',
  deliveryId: (h) => header(h, 'x-github-delivery'),
  verify: (secret, h, body) => verifyHmacSha256(secret, body, header(h, 'x-hub-signature-256'), 'sha256='),
  parse: parseGithubPush,
  secretHeaders: ['x-hub-signature-256', 'x-hub-signature'],
};

const gitlab: ForgeSpec = {
  forge: 'gitlab',
  event: (h) => header(h, 'x-gitlab-event'),
  isPush: (e) => e === 'Push Hook',
  isPing: () => false,
  // Idempotency-Key (GitLab 17.4+) stays the same across retries; older
  // versions only send the per-event UUID.
  deliveryId: (h) => header(h, 'idempotency-key') ?? header(h, 'x-gitlab-event-uuid'),
  verify: (secret, h) => verifyToken(secret, header(h, 'x-gitlab-token')),
  parse: parseGitlabPush,
  secretHeaders: ['x-gitlab-token'],
};

const gitea: ForgeSpec = {
  forge: 'gitea',
  event: (h) => header(h, 'x-forgejo-event') ?? header(h, 'x-gitea-event') ?? header(h, 'x-gogs-event'),
  isPush: (e) => e === 'push',
  isPing: () => false,
  deliveryId: (h) => header(h, 'x-forgejo-delivery') ?? header(h, 'x-gitea-delivery') ?? header(h, 'x-github-delivery'),
  // Forgejo sends X-Forgejo-Signature and, for compatibility, the same value
  // as X-Gitea-Signature. The first one present is the one checked: a bad
  // one is not rescued by another header.
  verify: (secret, h, body) => {
    const forgejo = header(h, 'x-forgejo-signature');
    if (forgejo !== undefined) return verifyHmacSha256(secret, body, forgejo, '');
    const giteaSig = header(h, 'x-gitea-signature');
    if (giteaSig !== undefined) return verifyHmacSha256(secret, body, giteaSig, '');
    return verifyHmacSha256(secret, body, header(h, 'x-hub-signature-256'), 'sha256=');
  },
  parse: parseGiteaPush,
  secretHeaders: ['x-forgejo-signature', 'x-gitea-signature', 'x-gogs-signature', 'x-hub-signature-256', 'x-hub-signature'],
};

/** The forges by endpoint name (`/hooks/<forge>`). */
export const FORGES: Readonly<Record<Forge, ForgeSpec>> = { github, gitlab, gitea };

/** Every header name, over all forges, that must never reach a log. */
export const SECRET_HEADERS: readonly string[] = [
  ...new Set([...Object.values(FORGES).flatMap((f) => f.secretHeaders), 'authorization', 'cookie']),
];
