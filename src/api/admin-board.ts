/**
 * The Bull Board dashboard at `/admin/queues`, behind a token. API clients
 * send `Authorization: Bearer <token>`; a browser opens
 * `/admin/queues?token=<token>` once and gets an HttpOnly cookie scoped to the
 * dashboard, because the dashboard's own requests carry no header.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { header } from './forges.js';
import { verifyToken } from './signature.js';

/** Where the dashboard is mounted. */
export const ADMIN_PATH = '/admin/queues';
const COOKIE = 'farm_admin';

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const raw = header(request.headers, 'cookie');
  if (raw === undefined) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const value = header(request.headers, 'authorization');
  return value?.toLowerCase().startsWith('bearer ') ? value.slice('bearer '.length).trim() : undefined;
}

/**
 * Mounts the dashboard over `queues`. `token` must be non-empty; the caller
 * leaves the dashboard out when no token is configured.
 */
export async function registerAdminBoard(app: FastifyInstance, queues: readonly Queue[], token: string): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  // @bull-board/fastify 9.10.1 pins its own copy of @bull-board/api 9.10.1
  // beside the top-level 9.10.2; the adapter contract is the same, only the
  // declarations differ.
  type ServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: serverAdapter as unknown as ServerAdapter,
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (verifyToken(token, bearer(request)) || verifyToken(token, cookieValue(request, COOKIE))) return;
      const query = request.query as Record<string, unknown> | undefined;
      const given = typeof query?.['token'] === 'string' ? query['token'] : undefined;
      if (verifyToken(token, given)) {
        return reply
          .header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=${ADMIN_PATH}; HttpOnly; SameSite=Strict`)
          .redirect(request.url.split('?')[0]!, 303);
      }
      return reply.code(401).header('www-authenticate', 'Bearer realm="farm"').send({ error: 'unauthorized', message: 'admin token required' });
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
  });
}
