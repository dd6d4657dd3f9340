/**
 * The Bull Board dashboard at `/admin/queues`. The admin guard
 * (`admin-auth.ts`) covers it like every other page under `/admin`.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

/** Where the dashboard is mounted. */
export const ADMIN_PATH = '/admin/queues';

/** Mounts the dashboard over `queues`; the caller has registered the admin guard. */
export async function registerAdminBoard(app: FastifyInstance, queues: readonly Queue[]): Promise<void> {
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
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
}
