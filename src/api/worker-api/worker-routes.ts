/**
 * The API a remote `farm worker` uses besides the upload route and the
 * served index (where it reads what is published, with each wheel's build
 * provenance under `_farm`), all behind a worker token:
 *
 * - `GET /api/v1/worker/hello?targets=a,b`: checks the token may serve those
 *   targets and tells the worker where the repositories are served. Workers
 *   call it at start (a wrong or revoked token fails there, clearly) and
 *   then periodically: a 401 makes a worker stop taking jobs.
 * - `POST /api/v1/worker/logs/<request>/<name>/<target>-py<X.Y>.log`: a
 *   piece of a build log at byte offset `X-Farm-Log-Offset`, appended to the
 *   log `farm logs` reads on this host.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { stateDir } from '../../config/load-config.js';
import type { FarmConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { buildLogPath, resolveLogPath } from '../../pipeline/contract/log-paths.js';
import type { ScopeCatalog } from '../../tokens/token-scope.js';
import { validate } from '../../validation/validate.js';
import { header } from '../forges.js';
import { AccessDenied, sendError, type TokenGuard } from '../auth/token-guard.js';
import { appendLogPiece } from './log-append.js';
import type { WorkerHello } from './worker-hello.js';

/** Where the worker API lives. */
export const WORKER_API = '/api/v1';

export interface WorkerRouteDeps {
  readonly config: FarmConfig;
  readonly guard: TokenGuard;
  readonly catalog: ScopeCatalog;
}

const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'expected a plain name');
const LogParams = z.strictObject({ request: Name, name: z.union([Name, z.literal('_resolve')]), file: z.string().regex(/^[a-z0-9_]+-[a-z0-9_]+-py\d+\.\d+\.log$/, 'expected <target>-py<X.Y>.log') });
const TargetsQuery = z.looseObject({ targets: z.string().optional() });
const Offset = z.string().regex(/^\d{1,15}$/, 'expected a byte offset').transform(Number);

/** Largest log piece per request; workers send smaller ones. */
const LOG_PIECE_LIMIT = 8 * 1024 * 1024;

function fail(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof AccessDenied) {
    request.log.warn({ status: error.statusCode, reason: error.message }, 'worker API refused');
    return sendError(reply, error.statusCode, error.statusCode === 401 ? 'unauthorized' : 'forbidden', error.message);
  }
  if (error instanceof ConfigError) return sendError(reply, 400, 'bad request', error.message.replace(/\n\s*/g, ' '));
  throw error;
}

/** Registers the worker API routes. */
export async function registerWorkerRoutes(app: FastifyInstance, deps: WorkerRouteDeps): Promise<void> {
  const { config, guard, catalog } = deps;
  const logs = stateDir(config);

  app.get(`${WORKER_API}/worker/hello`, async (request, reply) => {
    try {
      const query = validate(TargetsQuery, request.query, 'hello query');
      const targets = (query.targets ?? '').split(',').filter((t) => t !== '');
      const unknown = targets.filter((t) => !catalog.targets.includes(t));
      if (unknown.length > 0) return sendError(reply, 400, 'bad request', `unknown targets ${unknown.join(', ')}`);
      const token = await guard.check(request, { kind: 'work', targets });
      const hello: WorkerHello = {
        token: token.name,
        targets: token.targets ?? [...catalog.targets],
        repositories: token.repositories,
        indexUrl: config.api.indexUrl ?? null,
      };
      return hello;
    } catch (error) {
      return fail(request, reply, error);
    }
  });

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: LOG_PIECE_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(`${WORKER_API}/worker/logs/:request/:name/:file`, { bodyLimit: LOG_PIECE_LIMIT }, async (request, reply) => {
      try {
        const params = validate(LogParams, request.params, 'log URL');
        const match = /^(.+)-py(\d+\.\d+)\.log$/.exec(params.file)!;
        const [, target = '', python = ''] = match;
        if (!catalog.targets.includes(target)) return sendError(reply, 400, 'bad request', `unknown target ${target}`);
        await guard.check(request, { kind: 'log', target });
        const offset = validate(Offset, header(request.headers, 'x-farm-log-offset') ?? '', 'X-Farm-Log-Offset header');
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const file =
          params.name === '_resolve'
            ? resolveLogPath(logs, params.request, target, python)
            : buildLogPath(logs, params.request, params.name, target, python);
        const result = await appendLogPiece(file, offset, body);
        return reply.code(result.gap ? 409 : 200).send({ size: result.size, path: file });
      } catch (error) {
        return fail(request, reply, error);
      }
    });
  });
}
