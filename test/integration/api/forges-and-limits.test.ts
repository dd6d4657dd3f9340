/**
 * `farm api` over real HTTP and real Redis, stopping at the trigger queue:
 * GitLab and Gitea/Forgejo payloads in the shapes those forges document,
 * oversized and malformed bodies, the rate limit, the dashboard token and
 * the metrics endpoint. The server must keep serving after every rejection.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import { hmacSha256Hex } from '../../../src/api/signature.js';
import { openTriggerQueue, type TriggerQueue } from '../../../src/tracked/trigger-queue.js';
import { LogCapture, REDIS_URL, dropPrefix, testConfig, testPrefix, unusedEngine } from './helpers.js';

const fixtures = new URL('../../unit/api/fixtures/', import.meta.url);
const gitlabBody = readFileSync(new URL('gitlab-push.json', fixtures));
const giteaBody = readFileSync(new URL('gitea-push.json', fixtures));
const githubBody = readFileSync(new URL('github-push.json', fixtures));

const env = {
  FARM_GITHUB_SECRET: 'gh-secret-4c1f0e',
  FARM_GITLAB_TOKEN: 'gl-token-9a7d21',
  FARM_GITEA_SECRET: 'gitea-secret-55e0a3',
  FARM_ADMIN_TOKEN: 'admin-token-0b9f',
};

const config = testConfig(`
api:
  bodyLimitBytes: 65536
  rateLimit: { max: 40, windowSeconds: 60 }
sets:
  - name: pipeline
    source: { kind: git, url: "https://gitlab.example.com/analytics/data-pipeline.git", branch: "release/*", files: [requirements/prod.txt] }
    targets: [glibc-x86_64]
  - name: worker
    source: { kind: git, url: "https://code.example.org/infra/worker.git", branch: develop }
    targets: [musl-x86_64]
  - name: web
    source: { kind: git, url: "https://github.com/acme/web-app.git", branch: main }
    targets: [glibc-x86_64]
`);

const prefix = testPrefix('api');
const logs = new LogCapture();
let api: RunningApi;
let queue: TriggerQueue;

beforeAll(async () => {
  api = await startApi(config, {
    engine: unusedEngine,
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    env,
    logStream: logs,
    triggerWorker: false,
  });
  queue = await openTriggerQueue(config, { redisUrl: REDIS_URL, prefix });
});

afterAll(async () => {
  await api?.close();
  await queue?.close();
  await dropPrefix(prefix);
});

function post(path: string, body: string | Buffer, headers: Record<string, string>) {
  return fetch(`${api.url}${path}`, { method: 'POST', body, headers });
}

async function jobCount(): Promise<number> {
  const counts = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function serving(): Promise<void> {
  const res = await fetch(`${api.url}/healthz`);
  expect(res.status).toBe(200);
}

describe('GitLab push hook', () => {
  it('accepts the documented payload with the secret token and enqueues a push trigger', async () => {
    const res = await post('/hooks/gitlab', gitlabBody, {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': env.FARM_GITLAB_TOKEN,
      'x-gitlab-event-uuid': '5d3a5c4b-2c64-4c39-9c6f-0d5d4c2e1a11',
      'idempotency-key': 'f4e2b1c0-6f5e-4a8e-9a11-2b7c3d4e5f60',
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; requestId: string; delivery: string };
    expect(body).toMatchObject({ status: 'accepted', delivery: 'f4e2b1c0-6f5e-4a8e-9a11-2b7c3d4e5f60' });
    const job = await queue.queue.getJob(body.requestId);
    expect(job?.data).toEqual({
      kind: 'push',
      triggerId: body.requestId,
      set: 'pipeline',
      forge: 'gitlab',
      sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      ref: 'refs/heads/release/2.1',
      repository: 'analytics/data-pipeline',
      delivery: 'f4e2b1c0-6f5e-4a8e-9a11-2b7c3d4e5f60',
    });
    // Until the trigger worker runs, the request reads as queued.
    const status = await (await fetch(`${api.url}/requests/${body.requestId}`)).json();
    expect(status).toMatchObject({ id: body.requestId, state: 'queued', origin: 'webhook', targets: ['glibc-x86_64'] });
  });

  it('rejects a wrong token with 401', async () => {
    const before = await jobCount();
    const res = await post('/hooks/gitlab', gitlabBody, {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': 'gl-token-9a7d22',
    });
    expect(res.status).toBe(401);
    expect(await jobCount()).toBe(before);
  });
});

describe('Gitea and Forgejo push hooks', () => {
  it('accepts a Gitea delivery (X-Gitea-Signature) and answers its redelivery with the same id', async () => {
    const headers = {
      'content-type': 'application/json',
      'x-gitea-event': 'push',
      'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
      'x-gitea-signature': hmacSha256Hex(env.FARM_GITEA_SECRET, giteaBody),
    };
    const first = (await (await post('/hooks/gitea', giteaBody, headers)).json()) as { status: string; requestId: string };
    expect(first).toMatchObject({ status: 'accepted', requests: [{ set: 'worker' }] });
    const before = await jobCount();
    const again = await post('/hooks/gitea', giteaBody, headers);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: 'duplicate', requestId: first.requestId });
    expect(await jobCount()).toBe(before);
  });

  it('accepts a Forgejo delivery (X-Forgejo-Signature) on /hooks/forgejo', async () => {
    // Another commit: the Gitea test's commit was already built (issue 14, point 10).
    const payload = JSON.parse(giteaBody.toString('utf8')) as { after: string };
    payload.after = 'e'.repeat(40);
    const forgejoBody = Buffer.from(JSON.stringify(payload));
    const res = await post('/hooks/forgejo', forgejoBody, {
      'content-type': 'application/json',
      'x-forgejo-event': 'push',
      'x-forgejo-delivery': '0c5b7d0e-8f1a-4d44-9d55-3f1a2b3c4d5e',
      'x-forgejo-signature': hmacSha256Hex(env.FARM_GITEA_SECRET, forgejoBody),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted', delivery: '0c5b7d0e-8f1a-4d44-9d55-3f1a2b3c4d5e' });
  });

  it('rejects a signature over different bytes (re-serialised JSON) with 401', async () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(giteaBody.toString())));
    const res = await post('/hooks/gitea', giteaBody, {
      'content-type': 'application/json',
      'x-gitea-event': 'push',
      'x-gitea-signature': hmacSha256Hex(env.FARM_GITEA_SECRET, reserialised),
    });
    expect(res.status).toBe(401);
  });
});

describe('bad requests', () => {
  const sign = (body: Buffer) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-hub-signature-256': `sha256=${hmacSha256Hex(env.FARM_GITHUB_SECRET, body)}`,
  });

  it('rejects an oversized body with 413 and keeps serving', async () => {
    const big = Buffer.alloc(200 * 1024, 0x20);
    const res = await post('/hooks/github', big, sign(big));
    expect(res.status).toBe(413);
    await serving();
  });

  it('rejects an oversized body sent chunked, without Content-Length, with 413', async () => {
    const chunks = Array.from({ length: 40 }, () => new Uint8Array(4096).fill(0x20));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.pop();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    const res = await fetch(`${api.url}/hooks/github`, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    await serving();
  });

  const malformed: [string, Buffer][] = [
    ['truncated JSON', Buffer.from('{"ref": "refs/heads/main", "after": ')],
    ['not JSON at all', Buffer.from('\u0000\u0001binary')],
    ['JSON that is not a push', Buffer.from('{"zen":"Design for failure.","hook_id":1}')],
    ['a JSON array', Buffer.from('[1,2,3]')],
  ];
  it.each(malformed)('rejects %s (signed) with 400 and keeps serving', async (_name, body) => {
    const before = await jobCount();
    const res = await post('/hooks/github', body, sign(body));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad request' });
    expect(await jobCount()).toBe(before);
    await serving();
  });

  it('rejects an unsigned malformed body with 401 before reading it', async () => {
    const res = await post('/hooks/github', '{{{', { 'content-type': 'application/json', 'x-github-event': 'push' });
    expect(res.status).toBe(401);
  });

  it('answers unknown routes and bad request ids with 4xx JSON', async () => {
    expect((await fetch(`${api.url}/hooks/bitbucket`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${api.url}/requests/${encodeURIComponent('../../etc')}`)).status).toBe(400);
  });
});

describe('the rest of the API', () => {
  it('guards the dashboard with the admin token', async () => {
    expect((await fetch(`${api.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${api.url}/admin/queues`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${api.url}/admin/queues`, { headers: { authorization: `Bearer ${env.FARM_ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<!DOCTYPE html>');
    const queues = await fetch(`${api.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${env.FARM_ADMIN_TOKEN}` } });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['triggers', 'requests', 'target-glibc-armv7']));
    // A browser gets a cookie from ?token= and is sent back without the token in the URL.
    const login = await fetch(`${api.url}/admin/queues?token=${env.FARM_ADMIN_TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/queues');
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${api.url}/admin/queues`, { headers: { cookie } })).status).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('farm_queue_depth{target="glibc-armv7"} 0');
    expect(text).toMatch(/farm_webhook_deliveries_total\{forge="gitlab",status="accepted"\} [1-9]/);
    expect(text).toMatch(/farm_webhook_deliveries_total\{forge="github",status="bad_request"\} [1-9]/);
    expect(text).toContain('# TYPE farm_build_duration_seconds histogram');
  });

  it('never logs a secret, a signature or the admin token', () => {
    expect(logs.lines.length).toBeGreaterThan(5);
    for (const value of Object.values(env)) expect(logs.text).not.toContain(value);
    expect(logs.text).not.toContain(hmacSha256Hex(env.FARM_GITEA_SECRET, giteaBody));
  });

  // Last: it uses up this source address's allowance for /hooks/github.
  it('limits requests per source and forge with 429, and other forges keep working', async () => {
    const body = githubBody;
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' };
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await post('/hooks/github', body, headers)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 429).every((s) => s === 401)).toBe(true);
    const gitlab = await post('/hooks/gitlab', gitlabBody, { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' });
    expect(gitlab.status).toBe(401);
    await serving();
  });

  // Issue 14, point 11: junk that fails authentication has its own bucket.
  it('failed authentications do not use up the allowance of correctly signed deliveries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const headers = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `limit-${i}`,
        'x-hub-signature-256': `sha256=${hmacSha256Hex(env.FARM_GITHUB_SECRET, githubBody)}`,
      };
      statuses.push((await post('/hooks/github', githubBody, headers)).status);
    }
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.every((s) => s === 202)).toBe(true);
  });
});
