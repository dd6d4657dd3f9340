/**
 * The admin session cookie (issue 14, point 13): a malformed cookie is a
 * missing login (401), never a 500; the cookie a login sets is HttpOnly,
 * SameSite=Strict, Secure behind TLS, and does not carry the admin token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import { LogCapture, REDIS_URL, dropPrefix, testConfig, testPrefix, unusedEngine } from './helpers.js';

const TOKEN = 'admin-token-7c41e9';
const prefix = testPrefix('admin');
let api: RunningApi;

beforeAll(async () => {
  api = await startApi(testConfig('api: { trustProxy: true }\n'), {
    engine: unusedEngine,
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    env: { FARM_ADMIN_TOKEN: TOKEN },
    logStream: new LogCapture(),
    triggerWorker: false,
    syncSchedules: false,
  });
});

afterAll(async () => {
  await api?.close();
  await dropPrefix(prefix);
});

async function login(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${api.url}/admin/queues?token=${TOKEN}`, { redirect: 'manual', headers });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie') ?? '';
}

describe('the admin cookie', () => {
  it.each(['farm_admin=%E0', 'farm_admin=%', 'farm_admin="%E0%A4%A"', 'farm_admin=a=b; farm_admin=%ZZ', '=%E0', 'farm_admin'])(
    'answers 401, not 500, to the malformed cookie %s',
    async (cookie) => {
      const res = await fetch(`${api.url}/admin/queues`, { headers: { cookie } });
      expect(res.status).toBe(401);
    },
  );

  it('is HttpOnly and SameSite=Strict, and does not hold the admin token', async () => {
    const setCookie = await login();
    expect(setCookie).toMatch(/^farm_admin=[^;]+/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(TOKEN));
    const pair = setCookie.split(';')[0]!;
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie: pair } })).status).toBe(200);
  });

  it('is Secure when served over TLS (behind a proxy that says so)', async () => {
    const setCookie = await login({ 'x-forwarded-proto': 'https' });
    expect(setCookie).toMatch(/;\s*Secure/i);
  });

  it('is refused once tampered with', async () => {
    const pair = (await login()).split(';')[0]!;
    const tampered = pair.slice(0, -1) + (pair.endsWith('0') ? '1' : '0');
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie: tampered } })).status).toBe(401);
  });
});
