import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryStore } from '../../../src/api/delivery-store.js';
import { handlePush, type HandlePushDeps, type PushTrigger } from '../../../src/api/handle-push.js';
import { hmacSha256Hex } from '../../../src/api/signature.js';
import { parseConfig } from '../../../src/config/load-config.js';

/** An in-memory DeliveryStore with the same claim semantics as Redis SET NX. */
class FakeDeliveries implements DeliveryStore {
  readonly values = new Map<string, string>();
  async claim(key: string, value: string): Promise<string | undefined> {
    const existing = this.values.get(key);
    if (existing !== undefined) return existing;
    this.values.set(key, value);
    return undefined;
  }
  async release(key: string, value: string): Promise<void> {
    if (this.values.get(key) === value) this.values.delete(key);
  }
}

const config = parseConfig(
  `
sets:
  - name: web
    source: { kind: git, url: "https://github.com/acme/web-app.git", branch: main }
    targets: [glibc-x86_64]
  - name: worker
    source: { kind: git, url: "https://code.example.org/infra/worker.git", branch: develop, secretEnv: WORKER_SECRET }
    targets: [musl-x86_64]
  - name: pipeline
    source: { kind: git, url: "https://gitlab.example.com/analytics/data-pipeline.git", branch: "release/*", files: [requirements/prod.txt] }
    targets: [glibc-armv7]
`,
  'test config',
);

const SECRETS = { FARM_GITHUB_SECRET: 'gh-secret', FARM_GITLAB_TOKEN: 'gl-token', FARM_GITEA_SECRET: 'gitea-default', WORKER_SECRET: 'worker-secret' };
const githubBody = readFileSync(new URL('./fixtures/github-push.json', import.meta.url));
const gitlabBody = readFileSync(new URL('./fixtures/gitlab-push.json', import.meta.url));
const giteaBody = readFileSync(new URL('./fixtures/gitea-push.json', import.meta.url));

function githubHeaders(body: Buffer, secret = SECRETS.FARM_GITHUB_SECRET, delivery = 'delivery-1', event = 'push') {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${hmacSha256Hex(secret, body)}`,
  };
}

let deliveries: FakeDeliveries;
let enqueued: PushTrigger[][];
let ids: number;
let deps: HandlePushDeps;

beforeEach(() => {
  deliveries = new FakeDeliveries();
  enqueued = [];
  ids = 0;
  deps = {
    config,
    env: SECRETS,
    deliveries,
    enqueue: async (triggers) => {
      enqueued.push([...triggers]);
    },
    newId: () => `req-${++ids}`,
  };
});

describe('handlePush', () => {
  it('accepts a signed GitHub push to a tracked branch and enqueues one trigger', async () => {
    const res = await handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, deps);
    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', requestId: 'req-1', requests: [{ set: 'web', requestId: 'req-1' }], delivery: 'delivery-1' });
    expect(enqueued).toEqual([
      [
        {
          triggerId: 'req-1',
          set: 'web',
          forge: 'github',
          sha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
          ref: 'refs/heads/main',
          repository: 'acme/web-app',
          delivery: 'delivery-1',
        },
      ],
    ]);
  });

  it('answers a redelivery with the same request id and enqueues nothing more', async () => {
    const first = await handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, deps);
    const again = await handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, deps);
    expect(again.statusCode).toBe(202);
    expect(again.body).toMatchObject({ status: 'duplicate', requestId: (first.body as { requestId: string }).requestId });
    expect(enqueued).toHaveLength(1);
  });

  // Issue 14, point 10: a signed body replayed with a fresh delivery id is the same push.
  it('answers the same push under a new delivery id as a duplicate of the first (tracked set + commit)', async () => {
    await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'd-1'), rawBody: githubBody }, deps);
    const second = await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'd-2'), rawBody: githubBody }, deps);
    expect(second.statusCode).toBe(202);
    expect(second.body).toMatchObject({ status: 'duplicate', requestId: 'req-1', delivery: 'd-2' });
    expect(enqueued).toHaveLength(1);
    // And the replayed id itself is remembered.
    const third = await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'd-2'), rawBody: githubBody }, deps);
    expect(third.body).toMatchObject({ status: 'duplicate', requestId: 'req-1' });
  });

  it('a push of another commit to the same set is a new request', async () => {
    await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'd-1'), rawBody: githubBody }, deps);
    const payload = JSON.parse(githubBody.toString('utf8')) as { after: string };
    payload.after = 'f'.repeat(40);
    const other = Buffer.from(JSON.stringify(payload));
    const second = await handlePush({ forge: 'github', headers: githubHeaders(other, undefined, 'd-2'), rawBody: other }, deps);
    expect(second.body).toMatchObject({ status: 'accepted', requestId: 'req-2' });
    expect(enqueued).toHaveLength(2);
  });

  it('dedupes by body hash when the forge sends no delivery id', async () => {
    const headers = githubHeaders(githubBody);
    delete (headers as Record<string, string>)['x-github-delivery'];
    await handlePush({ forge: 'github', headers, rawBody: githubBody }, deps);
    const again = await handlePush({ forge: 'github', headers, rawBody: githubBody }, deps);
    expect(again.body).toMatchObject({ status: 'duplicate', requestId: 'req-1' });
    expect(enqueued).toHaveLength(1);
  });

  it('releases the delivery when enqueueing fails, so the forge’s retry can succeed', async () => {
    const failing = { ...deps, enqueue: async () => Promise.reject(new Error('redis down')) };
    await expect(handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, failing)).rejects.toThrow('redis down');
    expect(deliveries.values.size).toBe(0);
    const retry = await handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, deps);
    expect(retry.body).toMatchObject({ status: 'accepted' });
  });

  const unauthorized: [string, Record<string, string>][] = [
    ['wrong secret', githubHeaders(githubBody, 'not-the-secret')],
    ['no signature', { 'x-github-event': 'push', 'x-github-delivery': 'x', 'content-type': 'application/json' }],
    ['short signature', { ...githubHeaders(githubBody), 'x-hub-signature-256': 'sha256=abc' }],
  ];
  it.each(unauthorized)('rejects a push with %s (401) before reading it', async (_name, headers) => {
    const res = await handlePush({ forge: 'github', headers, rawBody: githubBody }, deps);
    expect(res.statusCode).toBe(401);
    expect(enqueued).toHaveLength(0);
    expect(deliveries.values.size).toBe(0);
  });

  it('rejects everything when no secret is configured for the forge', async () => {
    const res = await handlePush({ forge: 'github', headers: githubHeaders(githubBody), rawBody: githubBody }, { ...deps, env: {} });
    expect(res).toMatchObject({ statusCode: 401, body: { message: 'no github webhook secret is configured' } });
  });

  it('acknowledges and ignores a push to an untracked branch', async () => {
    const body = Buffer.from(JSON.stringify({ ...JSON.parse(githubBody.toString()), ref: 'refs/heads/feature/x' }));
    const res = await handlePush({ forge: 'github', headers: githubHeaders(body), rawBody: body }, deps);
    expect(res).toEqual({ statusCode: 200, body: { status: 'ignored', reason: "branch 'feature/x' of 'acme/web-app' is not tracked" } });
    expect(enqueued).toHaveLength(0);
  });

  it('answers GitHub’s ping and ignores other events', async () => {
    const ping = await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'p', 'ping'), rawBody: githubBody }, deps);
    expect(ping).toEqual({ statusCode: 200, body: { status: 'pong' } });
    const issues = await handlePush({ forge: 'github', headers: githubHeaders(githubBody, undefined, 'i', 'issues'), rawBody: githubBody }, deps);
    expect(issues).toEqual({ statusCode: 200, body: { status: 'ignored', reason: "event 'issues' is not a push" } });
  });

  it('rejects a malformed body with 400', async () => {
    const body = Buffer.from('{"ref": "refs/heads/main", ');
    const res = await handlePush({ forge: 'github', headers: githubHeaders(body), rawBody: body }, deps);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad request' });
  });

  it('rejects valid JSON that is not a push payload with 400 and the issues', async () => {
    const body = Buffer.from('{"zen": "Keep it logically awesome."}');
    const res = await handlePush({ forge: 'github', headers: githubHeaders(body), rawBody: body }, deps);
    expect(res.statusCode).toBe(400);
    expect((res.body as unknown as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain('ref');
  });

  it('reads the form encoding GitHub offers (payload=<json>), signed over the form bytes', async () => {
    const body = Buffer.from(new URLSearchParams({ payload: githubBody.toString() }).toString());
    const headers = { ...githubHeaders(body), 'content-type': 'application/x-www-form-urlencoded' };
    const res = await handlePush({ forge: 'github', headers, rawBody: body }, deps);
    expect(res.body).toMatchObject({ status: 'accepted' });
  });

  it('accepts a GitLab push with the right token and Idempotency-Key', async () => {
    const headers = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'gl-token', 'idempotency-key': 'idem-1', 'x-gitlab-event-uuid': 'uuid-1' };
    const res = await handlePush({ forge: 'gitlab', headers, rawBody: gitlabBody }, deps);
    expect(res.body).toMatchObject({ status: 'accepted', delivery: 'idem-1', requests: [{ set: 'pipeline' }] });
    const bad = await handlePush({ forge: 'gitlab', headers: { ...headers, 'x-gitlab-token': 'gl-tokem' }, rawBody: gitlabBody }, deps);
    expect(bad.statusCode).toBe(401);
    const tag = await handlePush({ forge: 'gitlab', headers: { ...headers, 'x-gitlab-event': 'Tag Push Hook' }, rawBody: gitlabBody }, deps);
    expect(tag.body).toMatchObject({ status: 'ignored' });
  });

  it('accepts a Forgejo push signed with the set’s own secret, not the forge default', async () => {
    const headers = (secret: string) => ({
      'x-forgejo-event': 'push',
      'x-forgejo-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
      'x-forgejo-signature': hmacSha256Hex(secret, giteaBody),
    });
    const good = await handlePush({ forge: 'gitea', headers: headers('worker-secret'), rawBody: giteaBody }, deps);
    expect(good.body).toMatchObject({ status: 'accepted', delivery: 'f6266f16-1bf3-46a5-9ea4-602e06ead473', requests: [{ set: 'worker' }] });
    // Signed with a secret farm knows, but not the one of this repository.
    const other = await handlePush({ forge: 'gitea', headers: headers('gitea-default'), rawBody: giteaBody }, deps);
    expect(other).toMatchObject({ statusCode: 401, body: { message: "signature does not verify with the secret of set 'worker'" } });
  });
});
