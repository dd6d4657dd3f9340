/**
 * The whole push path with the real thing everywhere: a `git push` to a
 * local bare repository whose post-receive hook posts a GitHub-format,
 * signed push event to `farm api`; the trigger worker fetches the pushed
 * commit with git, reads requirements.txt there and submits a build; the
 * pipeline (real Redis, Docker, bootstrap image, pip) publishes the wheels.
 * Then: the same delivery again, a wrong signature, an untracked branch.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import { hmacSha256Hex } from '../../../src/api/signature.js';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { openTriggerQueue, type TriggerQueue } from '../../../src/tracked/trigger-queue.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { createLocalForge, type LocalForge } from './git-hook.js';
import { LogCapture, REDIS_URL, dropPrefix, eventually, testConfig, testPrefix } from './helpers.js';
import { requestedRows } from '../../support/request-rows.js';

const TARGET = 'glibc-x86_64';
const IMAGE = `farm/builder-${TARGET}:bootstrap-py3.11`;
const SECRET = 'push-secret-7f3e9b2d41';
const prefix = testPrefix('push');
const volumePrefix = `${prefix}-cache-`;
const logs = new LogCapture();

let dir: string;
let upstream: StaticServer;
let config: FarmConfig;
let engine: Engine;
let api: RunningApi;
let forge: LocalForge;
let triggers: TriggerQueue;
let requestId: string;

async function jobCount(): Promise<number> {
  const counts = await triggers.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function wheels(repository: string): Promise<string[]> {
  return (await readdir(path.join(config.root, repository, 'packages')).catch(() => [] as string[])).filter((f) => f.endsWith('.whl')).sort();
}

beforeAll(async () => {
  await new Dockerode()
    .getImage(IMAGE)
    .inspect()
    .catch(() => {
      throw new Error(`${IMAGE} is missing: run farm images bootstrap --targets ${TARGET}`);
    });
  dir = await mkdtemp(path.join(tmpdir(), 'farm-push-it-'));
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-cext', 'farmfix-purewheel'] });
  upstream = await serveStatic(path.join(dir, 'upstream'));
  config = testConfig(`
root: ${dir}/root
stateDir: ${dir}/state
redis: { url: "${REDIS_URL}" }
docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }
upstream: { indexUrl: "${upstream.url}/simple/" }
images: { source: bootstrap }
python: ["3.11"]
sets:
  - name: app
    source: { kind: git, url: "${dir}/app.git", branch: main, files: [requirements.txt] }
    targets: [${TARGET}]
`);
  engine = await openEngine(config, { redisUrl: REDIS_URL, prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  api = await startApi(config, {
    engine,
    redisUrl: REDIS_URL,
    prefix,
    host: '127.0.0.1',
    port: 0,
    env: { FARM_GITHUB_SECRET: SECRET },
    logStream: logs,
    logLevel: 'debug',
  });
  triggers = await openTriggerQueue(config, { redisUrl: REDIS_URL, prefix });
  forge = await createLocalForge(dir, { 'requirements.txt': 'farmfix-purewheel\n' }, { url: `${api.url}/hooks/github`, secret: SECRET });
});

afterAll(async () => {
  await api?.close();
  await engine?.close();
  await triggers?.close();
  await upstream?.close();
  await dropPrefix(prefix);
  const docker = new Dockerode();
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) if (v.Name.startsWith(volumePrefix)) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('git push → webhook → build', () => {
  it('answers the hook with 202 and a request id', async () => {
    await forge.commitAndPush({ 'requirements.txt': 'farmfix-purewheel\nfarmfix-cext\n' }, 'add farmfix-cext');
    const [delivery] = await forge.deliveries();
    expect(delivery).toMatchObject({ ref: 'refs/heads/main', status: 202, answer: { status: 'accepted', requests: [{ set: 'app' }] } });
    requestId = delivery!.answer['requestId'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The answer came before any work: the trigger job was only enqueued.
    expect(await triggers.queue.getJob(requestId)).toBeDefined();
  });

  it('fetches the pushed commit, builds what requirements.txt needs, and the wheels appear', async () => {
    const status = await eventually(
      async () => {
        const res = await fetch(`${api.url}/requests/${requestId}`);
        const body = (await res.json()) as RequestStatus;
        return body.state === 'done' || body.state === 'failed' || body.state === 'cancelled' ? body : undefined;
      },
      15 * 60_000,
      'the build request to finish',
      1000,
    );
    expect(status.error).toBeUndefined();
    expect(status.state).toBe('done');
    expect(status.origin).toBe('webhook');
    expect(status.metadata).toMatchObject({ set: 'app', trigger: requestId, forge: 'github', ref: 'refs/heads/main' });
    const rows = requestedRows(status).map((r) => `${r.name} ${r.state}`).sort();
    expect(rows).toEqual(['farmfix-cext built', 'farmfix-purewheel mirrored']);
    const published = await wheels('glibc');
    expect(published.some((w) => w.startsWith('farmfix_cext-1.0-cp311-cp311-'))).toBe(true);
    expect(published.some((w) => w.startsWith('farmfix_purewheel-'))).toBe(true);
    // The same JSON as `farm status --json`: the engine's status of the request.
    expect(status).toEqual(await engine.status(status.id));
  });

  it('answers the same delivery again with the same request id and builds nothing new', async () => {
    const [delivery] = await forge.deliveries();
    const requestsBefore = (await engine.list({ limit: 100 })).length;
    const jobsBefore = await jobCount();
    const res = await fetch(`${api.url}/hooks/github`, { method: 'POST', headers: delivery!.headers, body: delivery!.body });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'duplicate', requestId });
    expect(await jobCount()).toBe(jobsBefore);
    expect((await engine.list({ limit: 100 })).length).toBe(requestsBefore);
  });

  it('rejects a wrong signature with 401, enqueues nothing, and never logs the secret', async () => {
    const [delivery] = await forge.deliveries();
    const body = delivery!.body.replace('farm-test', 'someone-else');
    const headers = {
      ...delivery!.headers,
      'x-github-delivery': 'forged-delivery-1',
      'x-hub-signature-256': `sha256=${hmacSha256Hex('not-the-secret', body)}`,
    };
    const requestsBefore = (await engine.list({ limit: 100 })).length;
    const jobsBefore = await jobCount();
    const res = await fetch(`${api.url}/hooks/github`, { method: 'POST', headers, body });
    expect(res.status).toBe(401);
    expect(await jobCount()).toBe(jobsBefore);
    expect((await engine.list({ limit: 100 })).length).toBe(requestsBefore);
    // Logged at debug level, and still no secret or signature in any line.
    expect(logs.lines.some((l) => l.includes('"status":"unauthorized"'))).toBe(true);
    expect(logs.text).not.toContain(SECRET);
    for (const d of await forge.deliveries()) expect(logs.text).not.toContain(d.headers['x-hub-signature-256']!.slice(7));
    expect(logs.text).not.toContain(headers['x-hub-signature-256'].slice(7));
  });

  it('acknowledges and ignores a push to an untracked branch', async () => {
    const jobsBefore = await jobCount();
    await forge.commitAndPush({ 'requirements.txt': 'farmfix-purewheel\nfarmfix-cext\nfarmfix-a\n' }, 'experiment', 'refs/heads/feature/experiment');
    const last = (await forge.deliveries()).at(-1)!;
    expect(last).toMatchObject({
      ref: 'refs/heads/feature/experiment',
      status: 200,
      answer: { status: 'ignored', reason: "branch 'feature/experiment' of 'local/app' is not tracked" },
    });
    expect(await jobCount()).toBe(jobsBefore);
  });
});
