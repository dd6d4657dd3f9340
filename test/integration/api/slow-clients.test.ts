/**
 * Issue 14, point 12: `farm api` closes connections that trickle their
 * headers or body (slowloris) and idle ones, on the configured timeouts.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import { LogCapture, REDIS_URL, dropPrefix, testConfig, testPrefix, unusedEngine } from './helpers.js';

const config = testConfig(`
api:
  timeouts: { headersSeconds: 2, requestSeconds: 4, idleSeconds: 3 }
`);
const prefix = testPrefix('slow');
let api: RunningApi;

beforeAll(async () => {
  api = await startApi(config, {
    engine: unusedEngine,
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    env: {},
    logStream: new LogCapture(),
    triggerWorker: false,
  });
});
afterAll(async () => {
  await api?.close();
  await dropPrefix(prefix);
});

/** Opens a connection that sends `first`, then one byte of `drip` every `everyMs`; resolves with how long the server kept it open. */
function trickle(first: string, drip: string, everyMs: number, giveUpMs: number): Promise<number> {
  const { port } = new URL(api.url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(first));
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(drip[i++ % drip.length]!);
    }, everyMs);
    const done = () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    };
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.resume();
    setTimeout(() => socket.destroy(), giveUpMs);
  });
}

describe('farm api timeouts', () => {
  it('closes connections trickling their headers one byte at a time', async () => {
    const open = await Promise.all(
      Array.from({ length: 50 }, () => trickle('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 500, 30_000)),
    );
    for (const ms of open) expect(ms).toBeLessThan(12_000);
  });

  it('closes a connection trickling its body', async () => {
    const headers = 'POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
    const ms = await trickle(headers, '{', 500, 30_000);
    expect(ms).toBeLessThan(12_000);
  });

  it('closes an idle connection', async () => {
    const ms = await trickle('', '', 60_000, 30_000);
    expect(ms).toBeLessThan(12_000);
  });
});
