/**
 * The schedule functions against real Redis and BullMQ job schedulers:
 * sync (upsert, update, remove stale), list, run now, pause/resume, and
 * persistence across a Redis restart with AOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError } from '../../../src/errors.js';
import {
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  runScheduleNow,
  syncSchedules,
} from '../../../src/schedule/schedules.js';
import { openTriggerQueue, type TriggerQueue } from '../../../src/tracked/trigger-queue.js';
import { REDIS_URL, dropPrefix, eventually, testConfig, testPrefix } from '../api/helpers.js';

const setsYaml = (webCron: string, withTools = true) => `
sets:
  - name: web
    source: { kind: git, url: "https://github.com/acme/web-app.git" }
    targets: [glibc-x86_64]
    schedule: { cron: "${webCron}", tz: Europe/Berlin }
${
  withTools
    ? `  - name: tools
    source: { kind: file, path: requirements.txt }
    targets: [musl-x86_64]
    schedule: { cron: "30 2 * * *" }`
    : ''
}
  - name: adhoc
    source: { kind: file, path: requirements.txt }
    targets: [glibc-x86_64]
`;

const opened: TriggerQueue[] = [];
const prefixes: string[] = [];

async function open(redisUrl = REDIS_URL, prefix = testPrefix('sched')): Promise<TriggerQueue> {
  prefixes.push(prefix);
  const queue = await openTriggerQueue(testConfig(setsYaml('0 3 * * *')), { redisUrl, prefix });
  opened.push(queue);
  return queue;
}

afterEach(async () => {
  for (const q of opened.splice(0)) await q.close();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

describe('syncSchedules / listSchedules', () => {
  it('keeps exactly one scheduler per scheduled set, following the config', async () => {
    const queue = await open();
    const config = testConfig(setsYaml('0 3 * * *'));
    expect(await syncSchedules(config, queue)).toEqual({ upserted: ['web', 'tools'], removed: [], paused: [] });
    // Idempotent: a second sync (an API restart) changes nothing.
    await syncSchedules(config, queue);
    expect(await queue.queue.getJobSchedulersCount()).toBe(2);

    const list = await listSchedules(config, queue);
    expect(list.map(({ next: _next, ...rest }) => rest)).toEqual([
      { set: 'web', cron: '0 3 * * *', tz: 'Europe/Berlin', paused: false, configured: true },
      { set: 'tools', cron: '30 2 * * *', tz: 'UTC', paused: false, configured: true },
    ]);
    const next = new Date(list[0]!.next!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // 03:00 in Berlin is 01:00 or 02:00 UTC.
    expect([1, 2]).toContain(next.getUTCHours());

    // A changed cron replaces the old one; a set that lost its schedule loses its scheduler.
    const changed = testConfig(setsYaml('15 4 * * 1', false));
    expect(await syncSchedules(changed, queue)).toEqual({ upserted: ['web'], removed: ['tools'], paused: [] });
    const scheduler = await queue.queue.getJobScheduler('set:web');
    expect(scheduler).toMatchObject({ pattern: '15 4 * * 1', tz: 'Europe/Berlin' });
    expect(await queue.queue.getJobSchedulersCount()).toBe(1);
  });

  it('an invalid cron is a config error when the config is loaded, naming its path and line; nothing is synced', async () => {
    const queue = await open();
    // Checked at load (with cron-parser, the parser BullMQ uses), so a bad
    // schedule never reaches Redis and `farm api` does not start with it.
    const error = (() => {
      try {
        testConfig(setsYaml('not a cron'));
        return undefined;
      } catch (e: unknown) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]!.path).toBe('sets.0.schedule.cron');
    expect((error as ConfigError).message).toMatch(/invalid cron 'not a cron'.*\(line \d+\)/);
    expect(await queue.queue.getJobSchedulersCount()).toBe(0);
  });
});

describe('runScheduleNow / pauseSchedule / resumeSchedule', () => {
  it('enqueues a run of any set now, under a fresh trigger id', async () => {
    const queue = await open();
    const config = testConfig(setsYaml('0 3 * * *'));
    const id = await runScheduleNow(config, queue, 'adhoc');
    const job = await queue.queue.getJob(id);
    expect(job?.data).toEqual({ kind: 'schedule', set: 'adhoc', triggerId: id });
    expect(await queue.records.get(id)).toMatchObject({ id, set: 'adhoc', origin: 'schedule', state: 'queued' });
    await expect(runScheduleNow(config, queue, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pauses a schedule across syncs and resumes it', async () => {
    const queue = await open();
    const config = testConfig(setsYaml('0 3 * * *'));
    await syncSchedules(config, queue);
    await pauseSchedule(config, queue, 'web');
    expect(await queue.queue.getJobScheduler('set:web')).toBeUndefined();
    // A restart of the API syncs again: the pause holds.
    expect(await syncSchedules(config, queue)).toEqual({ upserted: ['tools'], removed: [], paused: ['web'] });
    const paused = (await listSchedules(config, queue)).find((s) => s.set === 'web');
    expect(paused).toEqual({ set: 'web', cron: '0 3 * * *', tz: 'Europe/Berlin', paused: true, configured: true });

    await resumeSchedule(config, queue, 'web');
    const resumed = (await listSchedules(config, queue)).find((s) => s.set === 'web');
    expect(resumed).toMatchObject({ paused: false });
    expect(resumed?.next).toBeDefined();
    await expect(pauseSchedule(config, queue, 'adhoc')).rejects.toThrow("tracked set 'adhoc' has no schedule");
  });
});

describe('persistence', () => {
  let server: ChildProcess | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    server?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function startRedis(workDir: string): Promise<string> {
    const socket = path.join(workDir, 'redis.sock');
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--dir', workDir, '--appendonly', 'yes', '--save', ''], {
      stdio: 'ignore',
    });
    const url = `unix://${socket}`;
    await eventually(
      async () => {
        const probe = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        probe.on('error', () => {});
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG' ? true : undefined;
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      'redis-server',
    );
    return url;
  }

  it('keeps schedules and pause flags when Redis restarts with AOF', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'farm-sched-aof-'));
    const config = testConfig(setsYaml('0 3 * * *'));
    const url = await startRedis(dir);
    let queue = await openTriggerQueue(config, { redisUrl: url, prefix: 'farm' });
    await syncSchedules(config, queue);
    await pauseSchedule(config, queue, 'tools');
    const before = await listSchedules(config, queue);
    await queue.close();

    const first = server!;
    const exited = new Promise<void>((resolve) => {
      if (first.exitCode !== null || first.signalCode !== null) resolve();
      else first.once('exit', () => resolve());
    });
    const shutdown = new Redis({ path: url.slice('unix://'.length), retryStrategy: () => null, maxRetriesPerRequest: 0 });
    shutdown.on('error', () => {});
    await shutdown.call('SHUTDOWN').catch(() => {});
    shutdown.disconnect();
    await exited;

    await startRedis(dir);
    queue = await openTriggerQueue(config, { redisUrl: url, prefix: 'farm' });
    try {
      expect(await listSchedules(config, queue)).toEqual(before);
      expect(before.find((s) => s.set === 'tools')?.paused).toBe(true);
    } finally {
      await queue.close();
    }
  });
});
