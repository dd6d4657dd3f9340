/**
 * The admin area (`/admin/…`: the builds pages and the queue dashboard),
 * behind the admin token.
 *
 * API clients send `Authorization: Bearer <token>`. A browser logs in once
 * (the form at `/admin/login`, or `?token=` on any admin URL, for links) and
 * gets the `farm_admin` cookie: HttpOnly, SameSite=Strict, Secure when the
 * request came over TLS (directly, or per `X-Forwarded-Proto` with
 * `api.trustProxy`), scoped to `/admin`, holding a signed, expiring session
 * (`admin-session.ts`), never the token. Cookies are parsed by
 * `@fastify/cookie`, which treats a malformed value as an unknown one: a bad
 * cookie is a missing login (401), not an error.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assetContentType, readWebAssets, type WebAsset } from '../web/assets.js';
import { renderLoginPage } from '../web/builds/render-login.js';
import { header } from './forges.js';
import { issueSession, SESSION_SECONDS, verifySession } from './admin-session.js';
import { verifyToken } from './signature.js';

/** Everything behind the admin token lives under this path. */
export const ADMIN_ROOT = '/admin';
export const ADMIN_COOKIE = 'farm_admin';
const LOGIN_PATH = `${ADMIN_ROOT}/login`;

function bearer(request: FastifyRequest): string | undefined {
  const value = header(request.headers, 'authorization');
  return value?.toLowerCase().startsWith('bearer ') ? value.slice('bearer '.length).trim() : undefined;
}

/** A path to return to after logging in: only a path inside the admin area (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return `${ADMIN_ROOT}/`;
  return /^\/admin(\/[A-Za-z0-9._~\-/%]*)?(\?[A-Za-z0-9._~\-=&%+]*)?$/.test(next) && !next.includes('//') ? next : `${ADMIN_ROOT}/`;
}

function setSession(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(ADMIN_COOKIE, issueSession(token, Date.now()), {
    path: ADMIN_ROOT,
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    maxAge: SESSION_SECONDS,
  });
}

/** Whether the request carries the admin token or a valid session. */
export function isAdmin(request: FastifyRequest, token: string): boolean {
  return verifyToken(token, bearer(request)) || verifySession(token, request.cookies[ADMIN_COOKIE], Date.now());
}

function wantsHtml(request: FastifyRequest): boolean {
  return (header(request.headers, 'accept') ?? '').includes('text/html');
}

const LoginForm = z.object({ token: z.string().max(4096).default(''), next: z.string().max(2048).optional() });

/**
 * Registers cookie and form parsing on `app` and the guard on every route
 * under `/admin` that `scope` registers. Call once, before the admin routes.
 */
export async function registerAdminAuth(app: FastifyInstance, token: string): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });

  const assets = readWebAssets();
  app.get(`${ADMIN_ROOT}/static/:name`, async (request, reply) => {
    const name = (request.params as { name: string }).name as WebAsset;
    const bytes = assets.get(name);
    if (bytes === undefined) return reply.code(404).send({ error: 'not found', message: request.url });
    return reply.type(assetContentType(name)).header('cache-control', 'no-cache').send(bytes);
  });
  app.get(LOGIN_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return reply.type('text/html; charset=utf-8').send(renderLoginPage({ next: safeNext(query['next']) }));
  });
  app.post(LOGIN_PATH, async (request, reply) => {
    const form = LoginForm.safeParse(request.body ?? {});
    const next = safeNext(form.success ? form.data.next : undefined);
    if (form.success && verifyToken(token, form.data.token)) {
      setSession(request, reply, token);
      return reply.redirect(next, 303);
    }
    return reply.code(401).type('text/html; charset=utf-8').send(renderLoginPage({ next, failed: true }));
  });
  app.post(`${ADMIN_ROOT}/logout`, async (_request, reply) => {
    reply.clearCookie(ADMIN_COOKIE, { path: ADMIN_ROOT });
    return reply.redirect(LOGIN_PATH, 303);
  });

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path !== ADMIN_ROOT && !path.startsWith(`${ADMIN_ROOT}/`)) return;
    if (path === LOGIN_PATH || path.startsWith(`${ADMIN_ROOT}/static/`)) return;
    if (isAdmin(request, token)) return;
    const query = request.query as Record<string, unknown> | undefined;
    const given = typeof query?.['token'] === 'string' ? query['token'] : undefined;
    if (request.method === 'GET' && verifyToken(token, given)) {
      setSession(request, reply, token);
      return reply.redirect(path, 303);
    }
    if (request.method === 'GET' && wantsHtml(request)) {
      return reply.code(401).type('text/html; charset=utf-8').send(renderLoginPage({ next: safeNext(request.url) }));
    }
    return reply.code(401).header('www-authenticate', 'Bearer realm="farm"').send({ error: 'unauthorized', message: 'admin token required' });
  });
}
