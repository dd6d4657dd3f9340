/**
 * The `Engine` (see contract/engine.ts): submits a request as one BullMQ flow (the
 * request job with one resolve child per target and Python version), reads
 * and follows requests through the request store, cancels and retries.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FarmConfig } from '../../config/schema.js';
import { targetSettings } from '../../config/target-settings.js';
import { getTarget } from '../../targets/parse-targets.js';
import { NotFoundError, TransientError, UsageError } from '../../errors.js';
import { fsRequirementsSource } from '../../requirements/fs-requirements-source.js';
import type { RequirementsSource } from '../../requirements/index.js';
import { normalizeName } from '../../wheels/normalize-name.js';
import { loadRecipes, recipeDirs } from '../../recipes/load-recipes.js';
import type { Recipe } from '../../recipes/recipe-schema.js';
import { resolveJobId } from '../contract/job-ids.js';
import type { Engine, EngineOptions, WaitOptions, WatchOptions, WorkerPool } from '../contract/engine.js';
import { startWorkers } from '../worker/worker-pool.js';
import type { ResolveJobData } from '../contract/job-data.js';
import { DEFAULT_PREFIX, FarmKeys, JOB_NAMES, REQUEST_QUEUE, requestJobId, targetQueue } from '../store/keys.js';
import { JOB_OPTIONS, QueueSet } from '../store/queues.js';
import { checkRedis } from '../../redis/check-redis.js';
import { redisOptions } from '../../redis/redis-connection.js';
import { prepareRequest } from './request-input.js';
import { RequestStore } from '../store/request-store.js';
import {
  FINAL_REQUEST_STATES,
  type BuildRequestInputArg,
  type RequestEvent,
  type RequestStatus,
} from '../contract/request-types.js';
import { TaskResults } from '../store/task-results.js';

/** `20250101-120000-a1b2c3`: sortable, readable, never an integer, no `:`. */
export function newRequestId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const NODE_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l' };

/** True when `target` is not this machine's architecture (it probably runs under qemu). */
function isForeign(targetId: string): boolean {
  return getTarget(targetId).arch !== NODE_ARCH[process.arch];
}

/**
 * Opens an engine on the configured (or given) Redis; with `options.workers`
 * it also runs workers in this process (embedded mode).
 */
export async function openEngine(config: FarmConfig, options: EngineOptions = {}): Promise<Engine> {
  const redisUrl = options.redisUrl ?? config.redis.url;
  if (redisUrl === undefined) {
    throw new UsageError('no Redis configured: set REDIS_URL, or use embedded mode (withEmbeddedRedis)');
  }
  const connection = redisOptions(redisUrl, config.redis);
  // Fails fast with the reason (wrong CA, password...) instead of retrying forever.
  await checkRedis(connection);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = new FarmKeys(prefix);
  const redis = new Redis(connection);
  // ioredis reconnects on its own (a Redis restart); commands fail meanwhile and say why.
  redis.on('error', () => {});
  const store = new RequestStore(redis, keys);
  const results = new TaskResults(redis, keys);
  const queues = new QueueSet(connection, prefix);
  const readers = new Set<Redis>();
  let pool: WorkerPool | undefined;
  try {
    await redis.ping();
    if (options.workers !== undefined && options.workers !== false) {
      const extra = options.workers === true ? {} : options.workers;
      pool = await startWorkers(config, { ...extra, redisUrl, prefix });
    }
  } catch (error) {
    await queues.close();
    redis.disconnect();
    throw error;
  }

  const submit = async (input: BuildRequestInputArg, source?: RequirementsSource): Promise<string> => {
    const id = newRequestId();
    const origin = input.origin ?? 'cli';
    const prepared = await prepareRequest(config, input, {
      id,
      // Only the CLI may name files on this machine; webhook and schedule input arrives as text.
      ...(source !== undefined ? { source } : origin === 'cli' ? { source: fsRequirementsSource, env: process.env } : {}),
    });
    const { stored } = prepared;
    const status: RequestStatus = {
      id,
      state: 'queued',
      origin: stored.origin,
      metadata: stored.metadata,
      targets: stored.targets,
      python: [...new Set(Object.values(stored.python).flat())],
      indexUrl: stored.indexUrl,
      requirementFiles: stored.roots,
      createdAt: stored.createdAt,
      updatedAt: stored.createdAt,
      rows: [],
      indexedRepositories: [],
      resolveLogs: {},
    };
    await store.create(stored, status);
    const recipes = await buildRequireRecipes(config);
    await queues.flow.add({
      name: JOB_NAMES.request,
      queueName: REQUEST_QUEUE,
      data: { requestId: id, step: 'resolve' },
      opts: { jobId: requestJobId(id), ...JOB_OPTIONS.request },
      // Foreign architectures first: their (emulated) resolution is usually the
      // slowest, and the request plans only after the last one.
      children: [...prepared.resolves].sort((a, b) => Number(isForeign(b.target)) - Number(isForeign(a.target))).map((r) => ({
        name: JOB_NAMES.resolve,
        queueName: targetQueue(r.target),
        data: {
          requestId: id,
          target: r.target,
          python: r.python,
          repository: targetSettings(config, getTarget(r.target)).repository,
          indexUrl: stored.indexUrl,
          extraIndexUrls: stored.extraIndexUrls,
          requirementsText: r.requirementsText,
          constraintsText: r.constraintsText,
          recipes,
        } satisfies ResolveJobData,
        opts: { jobId: resolveJobId(id, r.target, r.python), ...JOB_OPTIONS.resolve },
      })),
    });
    return id;
  };

  async function* follow(requestId: string, onEvent: ((e: RequestEvent) => void) | undefined, opts: WatchOptions): AsyncGenerator<RequestEvent> {
    await store.status(requestId); // NotFoundError for unknown ids
    const reader = redis.duplicate();
    readers.add(reader);
    try {
      let after = opts.replay === false ? await store.lastEventId(requestId) : '0';
      for (;;) {
        if (opts.signal?.aborted === true) return;
        const batch = await store.readEvents(reader, requestId, after, 1000);
        for (const { id, event } of batch) {
          after = id;
          onEvent?.(event);
          yield event;
          if (event.type === 'finished') return;
        }
        if (batch.length === 0 && FINAL_REQUEST_STATES.has((await store.status(requestId)).state)) {
          // Finished before we looked and the stream ended: nothing more will come.
          const tail = await store.readEvents(reader, requestId, after, 1);
          if (tail.length === 0) return;
          for (const { id, event } of tail) {
            after = id;
            onEvent?.(event);
            yield event;
            if (event.type === 'finished') return;
          }
        }
      }
    } finally {
      readers.delete(reader);
      reader.disconnect();
    }
  }

  const engine: Engine = {
    submit: (input) => submit(input),

    status: (requestId) => store.status(requestId),

    list: (opts = {}) => store.list(opts.limit ?? 20),

    watch: (requestId, onEvent, opts = {}) => follow(requestId, onEvent, opts),

    async wait(requestId, opts: WaitOptions = {}) {
      const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
      const controller = new AbortController();
      const timer = deadline === undefined ? undefined : setTimeout(() => controller.abort(), opts.timeoutMs);
      const signal = opts.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, opts.signal]);
      try {
        for await (const event of follow(requestId, undefined, { signal })) if (event.type === 'finished') break;
      } finally {
        clearTimeout(timer);
      }
      const status = await store.status(requestId);
      if (!FINAL_REQUEST_STATES.has(status.state)) {
        throw new TransientError(`request ${requestId} is still ${status.state}${deadline !== undefined ? ' after the timeout' : ''}`);
      }
      return status;
    },

    async cancel(requestId) {
      const status = await store.status(requestId);
      if (FINAL_REQUEST_STATES.has(status.state)) return;
      await store.markCancelled(requestId);
      const input = await store.input(requestId);
      const jobIds = input.targets.flatMap((t) => (input.python[t] ?? []).map((p) => resolveJobId(requestId, t, p)));
      const plan = await store.plan(requestId);
      for (const task of [...(plan?.plan?.builds ?? []), ...(plan?.plan?.mirrors ?? [])]) {
        // A job shared with a live request keeps running for it.
        if (await results.allRequestersCancelled(task.id, (id) => store.isCancelled(id))) jobIds.push(task.id);
      }
      for (const jobId of jobIds) await store.cancelJob(jobId);
      // Nobody runs the request job while it waits: end it here.
      const requestQueue = queues.queue(REQUEST_QUEUE);
      const state = await requestQueue.getJobState(requestJobId(requestId));
      if (state === 'waiting' || state === 'waiting-children' || state === 'delayed' || state === 'prioritized') {
        try {
          await requestQueue.remove(requestJobId(requestId), { removeChildren: true });
        } catch {
          // Taken by a worker meanwhile: that worker sees the flag and ends the request.
          return;
        }
        await store.apply(requestId, { type: 'finished', state: 'cancelled' });
      }
    },

    async retry(requestId, opts = {}) {
      const [input, status] = await Promise.all([store.input(requestId), store.status(requestId)]);
      let targets = input.targets;
      if (opts.failedOnly === true) {
        const failed = new Set(status.rows.filter((r) => r.state === 'failed').map((r) => r.target));
        for (const [tp, log] of Object.entries(status.resolveLogs)) {
          if (status.error?.includes(log) === true) failed.add(tp.split('/')[0]!);
        }
        targets = targets.filter((t) => failed.has(t));
        if (targets.length === 0) throw new UsageError(`request ${requestId} has nothing that failed to retry`);
      }
      const files = new Map(input.requirements.map((f) => [f.path, f.text]));
      const roots = input.roots.map((p) => ({ path: p, text: files.get(p) ?? '' }));
      const memory = {
        read(file: string): string {
          const text = files.get(file);
          if (text === undefined) throw new NotFoundError(`${file} is not part of request ${requestId}`);
          return text;
        },
      };
      return submit(
        {
          requirements: roots,
          targets,
          python: [...new Set(targets.flatMap((t) => input.python[t] ?? []))],
          indexUrl: input.indexUrl,
          origin: input.origin,
          metadata: { ...input.metadata, retryOf: requestId },
          rebuildFailed: true,
        },
        memory,
      );
    },

    async logPath(requestId, packageName, target, python) {
      const status = await store.status(requestId);
      const name = normalizeName(packageName);
      const rows = status.rows.filter((r) => r.name === name && r.target === target && (python === undefined || r.python === python));
      const row = rows.reverse().find((r) => r.logPath !== undefined);
      if (row?.logPath === undefined) {
        throw new NotFoundError(`request ${requestId} has no log for ${packageName} on ${target}${python ? ` py${python}` : ''}`);
      }
      return row.logPath;
    },

    async close() {
      for (const reader of readers) reader.disconnect();
      await pool?.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  return engine;
}

/**
 * The recipes that add build requirements, for the resolve jobs (which find
 * every sdist's build requirements). Problems in recipe files are the request
 * job's to report; here a broken file is simply left out.
 */
async function buildRequireRecipes(config: FarmConfig): Promise<Record<string, Recipe>> {
  const book = await loadRecipes(recipeDirs({ configDir: config.recipes.dir }));
  const recipes: Record<string, Recipe> = {};
  for (const [name, loaded] of book.recipes) {
    const layers = [loaded.recipe, ...loaded.recipe.overrides];
    if (layers.some((layer) => (layer.buildRequires ?? []).length > 0)) recipes[name] = loaded.recipe;
  }
  return recipes;
}
