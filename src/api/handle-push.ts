/**
 * The webhook request handler's logic, with every side effect passed in:
 * verify the signature over the raw body, parse the forge's payload, match it
 * against the tracked sets, claim the delivery id, enqueue the trigger jobs.
 * The fastify route only adapts HTTP to this and back.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FarmConfig, Forge } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { candidateSecretEnvs, matchPush, secretEnvFor } from '../tracked/match-push.js';
import type { DeliveryStore } from './delivery-store.js';
import { FORGES, header, type Headers } from './forges.js';

/** One build a push asks for: becomes one trigger job and, later, one build request. */
export interface PushTrigger {
  /** The id returned to the forge now; `GET /requests/<id>` follows it. */
  triggerId: string;
  set: string;
  forge: Forge;
  /** The pushed commit. */
  sha: string;
  ref: string;
  repository: string;
  delivery: string;
}

/** The side effects `handlePush` needs. */
export interface HandlePushDeps {
  config: Pick<FarmConfig, 'sets' | 'api'>;
  /** Where secret variables are read (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  deliveries: DeliveryStore;
  /** Enqueues the trigger jobs; fast (a Redis write), the work happens in a worker. */
  enqueue(triggers: readonly PushTrigger[]): Promise<void>;
  /** A fresh request id. */
  newId(): string;
}

/** An incoming webhook request. */
export interface HookRequest {
  forge: Forge;
  headers: Headers;
  rawBody: Buffer;
}

/** One set's request in a response. */
export interface TriggeredRequest {
  set: string;
  requestId: string;
}

/** The JSON answered to the forge. */
export type HookResponseBody =
  | { status: 'accepted' | 'duplicate'; requestId: string; requests: TriggeredRequest[]; delivery: string }
  | { status: 'ignored'; reason: string }
  | { status: 'pong' }
  | { error: string; message: string; issues?: readonly { path: string; message: string }[] };

/** Status code and JSON body. */
export interface HookResponse {
  statusCode: number;
  body: HookResponseBody;
}

const StoredRequests = z.array(z.strictObject({ set: z.string(), requestId: z.string() })).min(1);

/** Decodes the body: JSON, or GitHub/Gitea's form encoding (`payload=<json>`). */
function decodeBody(rawBody: Buffer, contentType: string | undefined): unknown {
  let text = rawBody.toString('utf8');
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new SyntaxError('form body without a "payload" field');
    text = payload;
  }
  return JSON.parse(text) as unknown;
}

const unauthorized = (message: string): HookResponse => ({ statusCode: 401, body: { error: 'unauthorized', message } });

/**
 * Which configured secrets verify a delivery's signature or token (their
 * environment variable names), and how many secrets are configured for the
 * forge. Cheap (one HMAC per secret): the rate limiter asks too, to keep
 * failed authentications in a bucket of their own.
 */
export function verifyHook(
  request: HookRequest,
  config: Pick<FarmConfig, 'sets' | 'api'>,
  env: Readonly<Record<string, string | undefined>>,
): { verifiedEnvs: Set<string>; configured: number } {
  const spec = FORGES[request.forge];
  const verifiedEnvs = new Set<string>();
  let configured = 0;
  for (const name of candidateSecretEnvs(config.sets, request.forge, config.api)) {
    const secret = env[name];
    if (secret === undefined || secret === '') continue;
    configured++;
    if (spec.verify(secret, request.headers, request.rawBody)) verifiedEnvs.add(name);
  }
  return { verifiedEnvs, configured };
}

/**
 * Handles one webhook delivery. Answers:
 * - 401 when no configured secret verifies it (or none is configured);
 * - 400 for a body that is not the forge's push payload;
 * - 200 `ignored` (with the reason) for other events and untracked pushes;
 * - 202 `accepted` with fresh request ids, or `duplicate` with the ids the
 *   first delivery of the same id, or of the same commit for the same
 *   tracked sets, got.
 */
export async function handlePush(request: HookRequest, deps: HandlePushDeps): Promise<HookResponse> {
  const spec = FORGES[request.forge];
  const { sets, api } = deps.config;

  const { verifiedEnvs, configured } = verifyHook(request, deps.config, deps.env);
  if (configured === 0) return unauthorized(`no ${request.forge} webhook secret is configured`);
  if (verifiedEnvs.size === 0) return unauthorized('signature or token does not verify');

  const event = spec.event(request.headers);
  if (spec.isPing(event)) return { statusCode: 200, body: { status: 'pong' } };
  if (!spec.isPush(event)) {
    return { statusCode: 200, body: { status: 'ignored', reason: `event '${event ?? '(none)'}' is not a push` } };
  }

  let payload: unknown;
  try {
    payload = decodeBody(request.rawBody, header(request.headers, 'content-type'));
  } catch (error) {
    return { statusCode: 400, body: { error: 'bad request', message: `malformed body: ${(error as Error).message}` } };
  }
  let push;
  try {
    push = spec.parse(payload);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { statusCode: 400, body: { error: 'bad request', message: `not a ${request.forge} push payload`, issues: error.issues } };
  }

  const decision = matchPush(sets, push);
  if (decision.action === 'ignore') return { statusCode: 200, body: { status: 'ignored', reason: decision.reason } };
  // A delivery signed with one repository's secret must not trigger another's sets.
  const allowed = decision.sets.filter((s) => verifiedEnvs.has(secretEnvFor(s, request.forge, api)));
  if (allowed.length === 0) return unauthorized(`signature does not verify with the secret of set '${decision.sets[0]!.name}'`);

  const deliveryId = spec.deliveryId(request.headers);
  const delivery =
    deliveryId !== undefined && deliveryId !== ''
      ? deliveryId
      : `body-sha256-${createHash('sha256').update(request.rawBody).digest('hex')}`;
  const key = `${request.forge}:${delivery}`;
  const triggers: PushTrigger[] = allowed.map((s) => ({
    triggerId: deps.newId(),
    set: s.name,
    forge: request.forge,
    sha: push.sha,
    ref: push.ref,
    repository: push.repositoryName,
    delivery,
  }));
  const requests = triggers.map((t) => ({ set: t.set, requestId: t.triggerId }));
  const value = JSON.stringify(requests);
  const duplicate = (existing: string): HookResponse => {
    const previous = StoredRequests.safeParse(safeJson(existing));
    if (previous.success) {
      return {
        statusCode: 202,
        body: { status: 'duplicate', requestId: previous.data[0]!.requestId, requests: previous.data, delivery },
      };
    }
    // An unreadable record can't be honoured; nothing is built twice as long
    // as it stays, so refuse rather than guess.
    return { statusCode: 409, body: { error: 'conflict', message: `delivery ${delivery} was seen before` } };
  };
  const existing = await deps.deliveries.claim(key, value, api.deliveryTtlSeconds);
  if (existing !== undefined) return duplicate(existing);
  // The same commit for the same tracked sets is the same push, whatever its
  // delivery id: a signed body replayed under a fresh id (or a second hook
  // of one repository) must not build again.
  const commitKey = `${request.forge}:commit:${allowed.map((s) => s.name).sort().join(',')}:${push.sha}`;
  const sameCommit = await deps.deliveries.claim(commitKey, value, api.deliveryTtlSeconds);
  if (sameCommit !== undefined) {
    // This delivery id now answers like the first one did.
    await deps.deliveries.release(key, value);
    await deps.deliveries.claim(key, sameCommit, api.deliveryTtlSeconds);
    return duplicate(sameCommit);
  }
  try {
    await deps.enqueue(triggers);
  } catch (error) {
    await deps.deliveries.release(commitKey, value);
    await deps.deliveries.release(key, value);
    throw error;
  }
  return { statusCode: 202, body: { status: 'accepted', requestId: requests[0]!.requestId, requests, delivery } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
