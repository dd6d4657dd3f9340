/**
 * Server-sent events over a fastify reply: the builds pages' live request
 * table and log follow. The stream ends when the client goes away (its
 * `signal` aborts) or the producer closes it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStream {
  /** Aborted when the client disconnects or the stream is closed. */
  readonly signal: AbortSignal;
  /** Sends one event; `data` is JSON-encoded (one line, as SSE requires). */
  send(event: string, data: unknown): void;
  close(): void;
}

/** A comment line every this many ms keeps proxies from timing the stream out. */
const KEEPALIVE_MS = 15_000;

/** Takes over `reply` and opens an event stream on it. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  const controller = new AbortController();
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx: pass events on as they come.
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  const close = (): void => {
    if (controller.signal.aborted) return;
    clearInterval(keepalive);
    controller.abort();
    raw.end();
  };
  request.raw.on('close', close);
  return {
    signal: controller.signal,
    send(event, data) {
      if (!controller.signal.aborted) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
  };
}
