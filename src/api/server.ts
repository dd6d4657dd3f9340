/**
 * `farm api`: the HTTP server. Webhooks in, request status and metrics out,
 * the queue dashboard for operators. Every handler only reads or enqueues;
 * fetching and building happen in the trigger worker and the build workers.
 */
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { z } from 'zod';
import type { FarmConfig, Forge } from '../config/schema.js';
import { ConfigError, FarmError, NotFoundError } from '../errors.js';
import type { ConnectionOptions } from '../pipeline/index.js';
import { MIRROR_QUEUE, REQUEST_QUEUE, targetQueue } from '../pipeline/store/keys.js';
import type { RequestStatus, RequestSummary } from '../pipeline/contract/request-types.js';
import { syncSchedules } from '../schedule/schedules.js';
import { TARGETS } from '../targets/catalog.js';
import type { BuildSubmitter, StatusReader } from '../tracked/build-submitter.js';
import { openTriggerQueue, type TriggerQueue } from '../tracked/trigger-queue.js';
import { startTriggerWorker, type TriggerWorker, type TriggerWorkerDeps } from '../tracked/trigger-worker.js';
import { registerAdminAuth } from './admin-auth.js';
import { registerAdminBoard } from './admin-board.js';
import { isBuildsEngine, registerAdminPages } from './admin-pages.js';
import { redisDeliveryStore } from './delivery-store.js';
import { registerRepositoryApi } from './repository-api.js';
import { handlePush, verifyHook } from './handle-push.js';
import { createApiLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { requestStatus } from './request-status.js';
import { validate } from '../validation/validate.js';

/** The engine surface the API uses (`Engine` satisfies it). */
export interface ApiEngine extends BuildSubmitter, StatusReader {
  list?(options?: { limit?: number }): Promise<RequestSummary[]>;
}

/** What `startApi` needs besides the config. */
export interface ApiDeps extends ConnectionOptions {
  engine: ApiEngine;
  /** Where secrets are read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Log destination (default stdout) and level. */
  logStream?: DestinationStream;
  logLevel?: string;
  /** Override `api.host` / `api.port` (port 0: any free port). */
  host?: string;
  port?: number;
  /**
   * Run the trigger worker in this process (default true): the API then
   * fetches pushed commits and submits builds itself.
   */
  triggerWorker?: boolean | Omit<TriggerWorkerDeps, 'submitter' | keyof ConnectionOptions>;
  /** Upsert/remove the job schedulers from `config.sets` at start (default true). */
  syncSchedules?: boolean;
}

/** A running API server. */
export interface RunningApi {
  /** `http://host:port` */
  url: string;
  /** The logger, for callers that log beside the server. */
  logger: Logger;
  /** Stops the server, the trigger worker and the connections. Idempotent. */
  close(): Promise<void>;
}

const RequestId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a request id');

/** Route names per forge endpoint; `forgejo` is Gitea's format. */
const HOOK_ROUTES: readonly [string, Forge][] = [
  ['github', 'github'],
  ['gitlab', 'gitlab'],
  ['gitea', 'gitea'],
  ['forgejo', 'gitea'],
];

/** Jobs that still have to run, per BullMQ's counts. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FarmError, request, reply) => {
    if (error instanceof ConfigError) {
      return reply.code(400).send({ error: 'bad request', message: error.message, issues: error.issues });
    }
    if (error instanceof NotFoundError) return reply.code(404).send({ error: 'not found', message: error.message });
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ error: (error as FastifyError).code ?? 'bad request', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal error', message: 'internal error; see the server log' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not found', message: `${request.method} ${request.url.split('?')[0]}` }),
  );
}

/**
 * Starts `farm api` and resolves once it listens. Needs the farm's shared
 * Redis (`redis.url`, `REDIS_URL` or `deps.redisUrl`).
 */
export async function startApi(config: FarmConfig, deps: ApiDeps): Promise<RunningApi> {
  const env = deps.env ?? process.env;
  const logger = createApiLogger({ ...(deps.logLevel === undefined ? {} : { level: deps.logLevel }), ...(deps.logStream === undefined ? {} : { stream: deps.logStream }) });
  const triggers: TriggerQueue = await openTriggerQueue(config, deps);
  const cleanups: (() => Promise<void>)[] = [() => triggers.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    return await start();
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function start(): Promise<RunningApi> {
    // The pipeline's queues, watched (not worked) for the dashboard and queue depth.
    const buildQueues = new Map<string, Queue>();
    for (const id of TARGETS.keys()) {
      buildQueues.set(id, new Queue(targetQueue(id), { connection: triggers.redis, prefix: triggers.prefix }));
    }
    const otherQueues = [REQUEST_QUEUE, MIRROR_QUEUE].map((name) => new Queue(name, { connection: triggers.redis, prefix: triggers.prefix }));
    cleanups.push(async () => {
      for (const q of [...buildQueues.values(), ...otherQueues]) await q.close();
    });

    if (deps.syncSchedules !== false) {
      const synced = await syncSchedules(config, triggers);
      logger.info(synced, 'schedules synced');
    }
    let worker: TriggerWorker | undefined;
    if (deps.triggerWorker !== false) {
      const extra = typeof deps.triggerWorker === 'object' ? deps.triggerWorker : {};
      worker = await startTriggerWorker(config, {
        log: logger.child({ component: 'trigger-worker' }),
        ...extra,
        submitter: deps.engine,
        redisUrl: triggers.redisUrl,
        prefix: triggers.prefix,
      });
      cleanups.push(() => worker!.close());
    }

    const metrics = createMetrics({
      async queueDepths() {
        const depths: Record<string, number> = {};
        for (const [id, queue] of buildQueues) {
          const counts = await queue.getJobCounts(...PENDING_STATES);
          depths[id] = Object.values(counts).reduce((a, b) => a + b, 0);
        }
        return depths;
      },
      ...(deps.engine.list === undefined ? {} : { listRequests: (limit: number) => deps.engine.list!({ limit }) }),
      status: (id: string): Promise<RequestStatus> => deps.engine.status(id),
    });
    await metrics.baseline().catch((error: unknown) => logger.warn({ err: error }, 'metrics baseline failed'));

    const { timeouts } = config.api;
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      bodyLimit: config.api.bodyLimitBytes,
      trustProxy: config.api.trustProxy,
      genReqId: () => randomUUID(),
      // Slow clients (one byte every few seconds) must not hold sockets:
      // headers and the whole request have deadlines, idle sockets close.
      connectionTimeout: timeouts.idleSeconds * 1000,
      requestTimeout: timeouts.requestSeconds * 1000,
      keepAliveTimeout: 5000,
      http: {
        headersTimeout: timeouts.headersSeconds * 1000,
        // How often Node checks those deadlines (default 30 s).
        connectionsCheckingInterval: Math.min(1000, timeouts.headersSeconds * 500),
      },
    });
    cleanups.push(() => app.close());
    installErrorHandler(app);
    await app.register(rateLimit, {
      global: false,
      redis: triggers.redis,
      nameSpace: `${triggers.prefix}:farm:ratelimit:`,
    });

    const deliveries = redisDeliveryStore(triggers.redis, triggers.prefix);
    await app.register(async (hooks) => {
      // Signatures are computed over the exact bytes received, so the body
      // stays a Buffer here; handlePush decodes JSON or form bodies itself.
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      for (const [route, forge] of HOOK_ROUTES) {
        hooks.post(
          `/hooks/${route}`,
          {
            bodyLimit: config.api.bodyLimitBytes,
            config: {
              rateLimit: {
                // After the body is read, so the key can tell deliveries
                // that authenticate from junk: failed authentications get a
                // bucket of their own and can't starve real deliveries.
                hook: 'preHandler',
                max: (_request, key) => (key.endsWith('|failed') ? config.api.rateLimit.failedAuthMax : config.api.rateLimit.max),
                timeWindow: config.api.rateLimit.windowSeconds * 1000,
                keyGenerator: (request) => {
                  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
                  const { verifiedEnvs } = verifyHook({ forge, headers: request.headers, rawBody }, config, env);
                  return `${forge}|${request.ip}|${verifiedEnvs.size > 0 ? 'signed' : 'failed'}`;
                },
              },
            },
          },
          async (request, reply) => {
            const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
            const result = await handlePush(
              { forge, headers: request.headers, rawBody },
              {
                config,
                env,
                deliveries,
                enqueue: (list) => triggers.enqueuePushes(list),
                newId: randomUUID,
              },
            );
            const status = 'status' in result.body ? result.body.status : result.body.error.replace(/ /g, '_');
            metrics.delivery(forge, status);
            request.log.info(
              {
                forge,
                delivery: 'delivery' in result.body ? result.body.delivery : undefined,
                status,
                reason: 'reason' in result.body ? result.body.reason : 'message' in result.body ? result.body.message : undefined,
                requestIds: 'requests' in result.body ? result.body.requests.map((r) => r.requestId) : undefined,
              },
              'webhook',
            );
            return reply.code(result.statusCode).send(result.body);
          },
        );
      }
    });

    await registerRepositoryApi(app, config);

    app.get('/requests/:id', async (request) => {
      const { id } = validate(z.strictObject({ id: RequestId }), request.params, 'request path');
      return requestStatus(id, { records: triggers.records, engine: deps.engine, config });
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.render();
      return reply.header('content-type', metrics.registry.contentType).send(text);
    });
    app.get('/healthz', async () => {
      await triggers.redis.ping();
      return { ok: true };
    });

    const adminToken = env[config.api.adminTokenEnv];
    if (adminToken !== undefined && adminToken !== '') {
      await registerAdminAuth(app, adminToken);
      await registerAdminBoard(app, [triggers.queue, ...otherQueues, ...buildQueues.values()]);
      if (isBuildsEngine(deps.engine)) {
        await registerAdminPages(app, { engine: deps.engine, config, triggers, token: adminToken });
      } else {
        logger.warn('the engine given to farm api cannot list, follow, retry or cancel requests: the builds pages are disabled');
      }
    } else {
      logger.warn({ env: config.api.adminTokenEnv }, 'no admin token set: the builds pages and /admin/queues are disabled');
    }

    const address = await app.listen({ host: deps.host ?? config.api.host, port: deps.port ?? config.api.port });
    logger.info({ address }, 'farm api listening');
    let closed = false;
    return {
      url: address,
      logger,
      async close() {
        if (closed) return;
        closed = true;
        await closeAll();
      },
    };
  }
}
