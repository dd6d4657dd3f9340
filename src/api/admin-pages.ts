/**
 * The builds pages under `/admin` (behind the admin guard of
 * `admin-auth.ts`): recent requests, a live request page, live build logs,
 * retry and cancel (POST, with a CSRF token as well as the SameSite
 * cookie), and the tracked sets with their schedules. Everything is read
 * through the engine's public contract; the pages are rendered by the pure
 * renderers of `src/web/builds`.
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FarmConfig } from '../config/schema.js';
import { NotFoundError } from '../errors.js';
import type { Engine } from '../pipeline/index.js';
import { FINAL_REQUEST_STATES, FINAL_ROW_STATES, rowKey } from '../pipeline/contract/request-types.js';
import { listSchedules } from '../schedule/schedules.js';
import type { TriggerQueue } from '../tracked/trigger-queue.js';
import { validate } from '../validation/validate.js';
import { renderLogPage } from '../web/builds/render-log.js';
import { logHref, renderRequestPage, rowCells } from '../web/builds/render-request.js';
import { renderRequestsPage } from '../web/builds/render-requests.js';
import { renderSetsPage, type SetRow } from '../web/builds/render-sets.js';
import { isAdmin } from './admin-auth.js';
import { openEventStream } from './event-stream.js';

/** What the builds pages read and do: the engine's public contract. */
export type BuildsEngine = Pick<Engine, 'status' | 'list' | 'watch' | 'cancel' | 'retry' | 'logPath'>;

/** Whether `engine` offers everything the builds pages need (the API's tests pass smaller stand-ins). */
export function isBuildsEngine(engine: object): engine is BuildsEngine {
  return ['status', 'list', 'watch', 'cancel', 'retry', 'logPath'].every((m) => typeof (engine as Record<string, unknown>)[m] === 'function');
}

const Id = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a request id');
const Name = z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected a package name');
const LogParams = z.strictObject({ id: Id, name: Name, target: Name, python: z.string().regex(/^\d+\.\d+$/, 'expected a Python version') });
const From = z.object({ from: z.coerce.number().int().nonnegative().default(0) });
const RetryForm = z.object({ failed: z.enum(['true', 'false']).default('false') });

/** At most this much of a log is put into the page; the rest is a download away (`farm logs`). */
const LOG_PAGE_BYTES = 256 * 1024;
const LOG_POLL_MS = 300;
const STATUS_POLL_MS = 1000;

const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Registers the builds pages. `token` is the admin token (API clients with it skip the CSRF check). */
export async function registerAdminPages(
  app: FastifyInstance,
  deps: { engine: BuildsEngine; config: FarmConfig; triggers: TriggerQueue; token: string },
): Promise<void> {
  const { engine } = deps;
  await app.register(fastifyCsrf, {
    cookieKey: 'farm_csrf',
    cookieOpts: { path: '/admin', sameSite: 'strict', httpOnly: true, secure: 'auto', signed: false },
  });
  /** Forms carry the CSRF token; a client with the bearer token is no browser and needs none. */
  const protect = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (request.headers.authorization !== undefined && isAdmin(request, deps.token)) return done();
    app.csrfProtection(request, reply, done);
  };

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/', 301));
  app.get('/admin/', async (_request, reply) => html(reply, renderRequestsPage(await engine.list({ limit: 50 }))));

  app.get('/admin/requests/:id', async (request, reply) => {
    const { id } = validate(z.strictObject({ id: Id }), request.params, 'request path');
    const status = await engine.status(id);
    return html(reply, renderRequestPage({ status, csrf: reply.generateCsrf() }));
  });

  app.get('/admin/requests/:id/events', async (request, reply) => {
    const { id } = validate(z.strictObject({ id: Id }), request.params, 'request path');
    await engine.status(id);
    const stream = openEventStream(request, reply);
    try {
      for await (const event of engine.watch(id, undefined, { signal: stream.signal, replay: false })) {
        if (event.type === 'row') {
          const { name, version, target, python, state } = event.row;
          stream.send('row', { key: rowKey(event.row), name, version, target, python, state, cells: rowCells(id, event.row).value });
        } else if (event.type === 'state' || event.type === 'finished') {
          stream.send('state', { state: event.state, final: event.type === 'finished' || FINAL_REQUEST_STATES.has(event.state) });
        }
      }
    } catch (error) {
      if (!stream.signal.aborted) request.log.warn({ err: error, id }, 'request event stream failed');
    } finally {
      stream.close();
    }
  });

  app.post('/admin/requests/:id/cancel', { preHandler: protect }, async (request, reply) => {
    const { id } = validate(z.strictObject({ id: Id }), request.params, 'request path');
    await engine.cancel(id);
    return reply.redirect(`/admin/requests/${encodeURIComponent(id)}`, 303);
  });

  app.post('/admin/requests/:id/retry', { preHandler: protect }, async (request, reply) => {
    const { id } = validate(z.strictObject({ id: Id }), request.params, 'request path');
    const form = validate(RetryForm, request.body ?? {}, 'retry form');
    const newId = await engine.retry(id, { failedOnly: form.failed === 'true' });
    return reply.redirect(`/admin/requests/${encodeURIComponent(newId)}`, 303);
  });

  app.get('/admin/requests/:id/log/:name/:target/:python', async (request, reply) => {
    const p = validate(LogParams, request.params, 'log path');
    const file = await engine.logPath(p.id, p.name, p.target, p.python);
    const { text, size, skipped } = await readTail(file, LOG_PAGE_BYTES);
    const final = await rowIsFinal(engine, p);
    const streamUrl = `${logHref(p.id, p)}/stream`;
    return html(reply, renderLogPage({ requestId: p.id, name: p.name, target: p.target, python: p.python, text, skipped, followFrom: final ? null : size, streamUrl }));
  });

  app.get('/admin/requests/:id/log/:name/:target/:python/stream', async (request, reply) => {
    const p = validate(LogParams, request.params, 'log path');
    const { from } = validate(From, request.query, 'log stream query');
    const file = await engine.logPath(p.id, p.name, p.target, p.python);
    const stream = openEventStream(request, reply);
    try {
      await followLog(file, from, (text) => stream.send('append', text), () => rowIsFinal(engine, p), stream.signal);
      stream.send('end', {});
    } catch (error) {
      if (!stream.signal.aborted) request.log.warn({ err: error, ...p }, 'log stream failed');
    } finally {
      stream.close();
    }
  });

  app.get('/admin/sets', async (_request, reply) => {
    const schedules = await listSchedules(deps.config, deps.triggers);
    const rows: SetRow[] = [];
    for (const set of deps.config.sets) {
      const record = await deps.triggers.records.latestOfSet(set.name);
      let last: SetRow['last'];
      if (record !== undefined) {
        let state: string = record.state;
        if (record.requestId !== undefined) state = (await engine.status(record.requestId).catch(() => undefined))?.state ?? state;
        last = { at: record.updatedAt, origin: record.origin, state, ...(record.requestId === undefined ? {} : { requestId: record.requestId }), ...(record.error === undefined ? {} : { error: record.error }) };
      }
      const schedule = schedules.find((s) => s.set === set.name);
      rows.push({ set, ...(schedule === undefined ? {} : { schedule }), ...(last === undefined ? {} : { last }) });
    }
    return html(reply, renderSetsPage(rows));
  });
}

async function rowIsFinal(engine: BuildsEngine, p: z.infer<typeof LogParams>): Promise<boolean> {
  const status = await engine.status(p.id);
  if (FINAL_REQUEST_STATES.has(status.state)) return true;
  const row = status.rows.find((r) => r.name === p.name && r.target === p.target && r.python === p.python);
  if (row === undefined) throw new NotFoundError(`request ${p.id} has no row for ${p.name} on ${p.target} py${p.python}`);
  return FINAL_ROW_STATES.has(row.state);
}

/** The last `limit` bytes of `file` (from a line start when cut), its size, and how much was left out. */
async function readTail(file: string, limit: number): Promise<{ text: string; size: number; skipped: number }> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return { text: '', size: 0, skipped: 0 };
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - limit);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    let skipped = start;
    if (start > 0) {
      const newline = buffer.indexOf(0x0a);
      if (newline >= 0) {
        text = buffer.subarray(newline + 1).toString('utf8');
        skipped = start + newline + 1;
      }
    }
    return { text, size, skipped };
  } finally {
    await handle.close();
  }
}

/**
 * Sends what is appended to `file` after byte `from` until `isDone()` (then
 * the rest) or `signal`. Polls, as `farm logs --follow` does: fs.watch misses
 * appends on some filesystems. Decodes UTF-8 across reads.
 */
async function followLog(file: string, from: number, send: (text: string) => void, isDone: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let position = from;
  let lastCheck = 0;
  const drain = async (): Promise<void> => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) return;
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        const text = decoder.write(buffer.subarray(0, bytesRead));
        if (text !== '') send(text);
      }
    } finally {
      await handle.close();
    }
  };
  while (!signal.aborted) {
    await drain();
    if (Date.now() - lastCheck >= STATUS_POLL_MS) {
      lastCheck = Date.now();
      if (await isDone()) {
        await drain();
        const rest = decoder.end();
        if (rest !== '') send(rest);
        return;
      }
    }
    await sleep(LOG_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
