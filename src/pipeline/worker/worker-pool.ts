/**
 * The workers of one process: the request orchestrator, one BullMQ worker per
 * served target (resolve and build jobs), and the mirror worker. Also the
 * crash-recovery plumbing: a heartbeat in the worker registry (with what the
 * worker serves, for `farm workers`), sweeps of containers whose worker died,
 * stalled-job settings, and the cancel channel.
 *
 * A remote worker (`options.remote`) runs the same processors with other
 * ports: the served index and farm api's upload API instead of a repository
 * root, build logs shipped to the main host. It serves target queues only,
 * and when its token is revoked it hands back its jobs and stops.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import PQueue from 'p-queue';
import { stateDir as stateDirOf } from '../../config/load-config.js';
import type { FarmConfig } from '../../config/schema.js';
import { connectDockerHosts, placeTarget } from '../../docker/docker-hosts.js';
import { RedisWorkerRegistry } from '../../docker/redis-worker-registry.js';
import { isLocalEndpoint, parseDockerUrl } from '../../docker/docker-url.js';
import { NetworkHolders } from '../../docker/network-holders.js';
import { sweepOrphans } from '../../docker/sweep.js';
import { startHeartbeat } from '../../docker/worker-registry.js';
import { HostError, UsageError } from '../../errors.js';
import { loadRecipes, recipeDirs } from '../../recipes/load-recipes.js';
import { TARGETS } from '../../targets/catalog.js';
import { getTarget } from '../../targets/parse-targets.js';
import { Toolchains } from '../../docker/toolchains.js';
import { BuilderImages } from '../../images/builder-images.js';
import { toolchainImageName } from '../../images/toolchain-image.js';
import { workerLogPath } from '../contract/log-paths.js';
import type { WorkerOptions, WorkerPool } from '../contract/engine.js';
import { HAND_BACK, mirrorProcessor, targetProcessor, type ProcessorDeps } from '../target-jobs/job-processors.js';
import { slotPriority } from './slot-priority.js';
import { withLocalWorkers } from '../../docker/local-workers.js';
import { DEFAULT_PREFIX, FarmKeys, MIRROR_QUEUE, REQUEST_QUEUE, targetQueue } from '../store/keys.js';
import { QueueSet } from '../store/queues.js';
import { checkRedis } from '../../redis/check-redis.js';
import { redisOptions } from '../../redis/redis-connection.js';
import { repositoryAdapter } from './repository-adapter.js';
import { JobGuard } from './job-guard.js';
import { describeWorker, type WorkerFacts } from './worker-description.js';
import { LOCAL_LOG_SINK } from '../contract/log-sink.js';
import { RemoteSession, remoteStateDir } from '../../remote/remote-session.js';
import { farmVersion } from '../../farm-version.js';
import { requestProcessor } from '../request-job/request-processor.js';
import { ResolveCache } from '../target-jobs/resolve-cache.js';
import { RequestStore } from '../store/request-store.js';
import { redisResolveCacheEntries } from '../store/resolve-cache-entries.js';
import { TaskResults } from '../store/task-results.js';
import { TaskWaiter } from '../request-job/task-waiter.js';

/** Request jobs mostly wait; one process can follow many at once. */
const ORCHESTRATOR_CONCURRENCY = 16;
const MIRROR_CONCURRENCY = 4;

/**
 * Runs farm's workers in this process: the request orchestrator and one
 * build worker per served target. Resolves once `signal` aborts and every
 * worker has closed (`farm worker`); without a signal it runs until the
 * process ends. Use `startWorkers` to get a handle instead.
 */
export async function runWorkers(config: FarmConfig, options: WorkerOptions = {}): Promise<void> {
  const pool = await startWorkers(config, options);
  const interrupted = new Promise<void>((resolve) => {
    if (options.signal === undefined) return;
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([interrupted, pool.stopped]);
  } finally {
    await pool.close();
  }
}

/**
 * Starts the workers and returns a handle to stop them. Resolves once every
 * worker listens (queues connected, orphaned containers swept).
 */
export async function startWorkers(config: FarmConfig, options: WorkerOptions = {}): Promise<WorkerPool> {
  const log = options.log ?? (() => {});
  const redisUrl = options.redisUrl ?? config.redis.url;
  if (redisUrl === undefined) {
    throw new UsageError('farm worker needs a Redis: set REDIS_URL (or redis.url in the config)');
  }
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tuning = options.tuning ?? {};
  const connection = redisOptions(redisUrl, config.redis);
  await checkRedis(connection);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const keys = new FarmKeys(prefix);
  if (options.remote !== undefined && options.orchestrate === true) {
    throw new UsageError('a remote worker runs no request jobs: they need the repository root of the main host');
  }
  const orchestrate = options.remote === undefined && options.orchestrate !== false;
  const stateDir = options.remote === undefined ? stateDirOf(config) : remoteStateDir(config);
  const concurrency = options.concurrency ?? config.concurrency.builds;

  const hosts = await connectDockerHosts(config.docker.hosts);
  const canRun = (id: string) => {
    try {
      placeTarget(hosts, getTarget(id));
      return true;
    } catch (error) {
      if (error instanceof HostError) return false;
      throw error;
    }
  };
  const targets = options.targets !== undefined ? [...options.targets] : [...TARGETS.keys()].filter(canRun);
  for (const id of targets) placeTarget(hosts, getTarget(id)); // unknown or unplaceable: a clear error now

  const emulated = (id: string) => !hosts.some((h) => h.native.includes(getTarget(id).platform));
  // A remote worker that may not deliver must not start: a wrong, revoked or too narrow token fails here.
  const remote = options.remote === undefined ? undefined : await RemoteSession.open(options.remote, targets, log);

  const redis = new Redis(connection);
  const subscriber = new Redis(connection);
  // ioredis reconnects on its own (a Redis restart): say so once per outage in the worker's log, not as an unhandled event.
  for (const [name, client] of [['redis', redis], ['subscriber', subscriber]] as const) {
    let down = false;
    client.on('error', (error: Error) => {
      if (!down) log(`${name} connection: ${error.message}; reconnecting`);
      down = true;
    });
    client.on('ready', () => {
      down = false;
    });
  }
  const cleanups: (() => Promise<unknown>)[] = [async () => redis.quit(), async () => subscriber.quit(), async () => remote?.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };

  try {
    const store = new RequestStore(redis, keys);
    const results = new TaskResults(redis, keys);
    const registry = new RedisWorkerRegistry(redis, {
      prefix: keys.workerRegistryPrefix(),
      ttlSeconds: tuning.heartbeatTtlSeconds ?? 30,
    });
    const guard = new JobGuard();
    const facts: WorkerFacts = {
      id: workerId,
      host: hostname(),
      pid: process.pid,
      version: farmVersion(),
      startedAt: new Date(),
      targets,
      emulated,
      orchestrates: orchestrate,
      ...(remote === undefined ? {} : { remote: { server: remote.client.origin, token: remote.hello.token } }),
    };
    const heartbeat = await startHeartbeat(
      registry,
      workerId,
      (registry.ttlSeconds * 1000) / 3,
      (e) => log(`heartbeat failed: ${(e as Error).message}`),
      () => describeWorker(facts, guard.running),
    );
    cleanups.push(() => heartbeat.stop());

    const localEngine = (url: string) => isLocalEndpoint(parseDockerUrl(url, 'docker host'));
    const localRegistry = withLocalWorkers(registry);
    const sweep = async () => {
      for (const host of hosts) {
        try {
          const swept = await sweepOrphans(host.client, localEngine(host.url) ? localRegistry : registry, { selfId: workerId });
          for (const c of swept) log(`swept orphaned container ${c.name} of dead worker ${c.workerId} (job ${c.jobId ?? '?'})`);
        } catch (error) {
          log(`sweep on ${host.name} failed: ${(error as Error).message}`);
        }
      }
    };
    await sweep();
    const sweeper = setInterval(() => void sweep(), tuning.sweepIntervalMs ?? 60_000);
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));

    // Removed after the workers closed (cleanups run in reverse), when no build holds one.
    const networkHolders = tuning.networkHolders === false ? undefined : new NetworkHolders(workerId);
    if (networkHolders !== undefined) cleanups.push(() => networkHolders.close());

    const local = remote === undefined ? repositoryAdapter(config.root) : undefined;
    const repo = remote?.repository ?? local!;
    const images = new BuilderImages(config, log);
    const deps: ProcessorDeps = {
      config,
      store,
      results,
      log,
      build: {
        hosts,
        images,
        workerId,
        stateDir,
        cacheVolumePrefix: options.cacheVolumePrefix ?? config.pipeline.cacheVolumePrefix,
        maxLogBytes: config.pipeline.maxLogBytes,
        ...(networkHolders === undefined ? {} : { networkHolders }),
        toolchains: new Toolchains(toolchainImageName(config.images.suite), workerId, (host) => workerLogPath(stateDir, `toolchain-volume-${host}`)),
        repo,
        resolveCache: new ResolveCache(redisResolveCacheEntries(redis, keys), repo),
        buildTimeoutMs: config.timeouts.buildSeconds * 1000,
        testTimeoutMs: config.timeouts.testSeconds * 1000,
        downloadTimeoutMs: 600_000,
      },
      mirror: { repo, stateDir, workerId, downloadTimeoutMs: 600_000 },
      logs: remote?.logs ?? LOCAL_LOG_SINK,
    };
    const queues = new QueueSet(connection, prefix);
    cleanups.push(() => queues.close());

    const workerOptions = {
      connection,
      prefix,
      name: workerId,
      lockDuration: tuning.lockDurationMs ?? 60_000,
      stalledInterval: tuning.stalledIntervalMs ?? 30_000,
      maxStalledCount: tuning.maxStalledCount ?? 3,
    };
    const workers: Worker[] = [];
    const add = (queue: string, processor: Processor, workerConcurrency: number) => {
      const worker = new Worker(queue, processor, { ...workerOptions, concurrency: workerConcurrency });
      worker.on('error', (error) => log(`worker ${queue}: ${error.message}`));
      workers.push(worker);
    };
    if (orchestrate && local !== undefined) {
      add(
        REQUEST_QUEUE,
        requestProcessor({
          config,
          store,
          repo: local,
          results,
          jobs: queues,
          waiter: new TaskWaiter(queues, results),
          stateDir,
          pollMs: tuning.pollMs ?? 2000,
          log,
          recipes: () => loadRecipes(recipeDirs({ configDir: config.recipes.dir })),
        }),
        ORCHESTRATOR_CONCURRENCY,
      );
    }
    // One overall limit across targets (each Docker host adds its own). Free
    // slots go to what the most work waits for: resolutions (a request plans
    // after its last one), emulated targets (the slowest), then builds other
    // builds wait for.
    const overall = new PQueue({ concurrency });
    const perTarget = guard.wrap(targetProcessor(deps));
    for (const id of targets) {
      add(
        targetQueue(id),
        (job, token, signal) => overall.add(() => perTarget(job, token, signal), { priority: slotPriority(job, emulated(id)) }),
        concurrency,
      );
    }
    // Mirroring writes where the repository is; a remote worker leaves it to the main host.
    if (remote === undefined) add(MIRROR_QUEUE, guard.wrap(mirrorProcessor(deps)), MIRROR_CONCURRENCY);
    cleanups.push(() => Promise.all(workers.map((w) => w.close())));

    // `farm cancel`: job ids arrive on a channel; whichever worker runs one aborts it (and its container).
    await store.onJobCancel(subscriber, (jobId) => {
      for (const worker of workers) if (worker.cancelJob(jobId, 'cancelled')) log(`cancelled job ${jobId}`);
    });

    // A revoked token: take nothing more, hand back what runs (its containers stop), then stop.
    let stop: (reason: Error) => void = () => {};
    const stopped = new Promise<never>((_resolve, reject) => (stop = reject));
    stopped.catch(() => {});
    remote?.revoked.addEventListener(
      'abort',
      () => {
        guard.handBackAll();
        for (const worker of workers) {
          void worker.pause(true).catch(() => {});
          worker.cancelAllJobs(HAND_BACK);
        }
        log(`worker ${workerId}: token refused; handing back ${guard.running.length} job(s) and stopping`);
        stop(remote.revoked.reason as Error);
      },
      { once: true },
    );
    remote?.watch(tuning.tokenCheckMs ?? 15_000);

    await Promise.all(workers.map((w) => w.waitUntilReady()));
    log(
      `worker ${workerId} serving ${targets.join(', ') || 'no targets'}${orchestrate ? ' and requests' : ''}` +
        (remote === undefined ? '' : `, delivering to ${remote.client.origin} as '${remote.hello.token}'`),
    );
    let closing: Promise<void> | undefined;
    return {
      workerId,
      targets,
      stopped,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
