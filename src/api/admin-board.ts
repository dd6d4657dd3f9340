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
  // @bull-board/api and @bull-board/fastify are pinned to one version in
  // package.json: the adapter depends on exactly its own api version.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
}
