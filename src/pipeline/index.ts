/**
 * The build pipeline's public entry, for the CLI, the API server, the
 * scheduler and tests: open an engine (submit, follow, cancel, retry
 * requests), run workers, or give a one-machine farm its private Redis.
 * The contracts are in contract/; nothing inside src/pipeline imports this
 * file.
 */
export { openEngine } from './client/open-engine.js';
export { runWorkers, startWorkers } from './worker/worker-pool.js';
export { withEmbeddedRedis } from '../redis/embedded-redis.js';
export type {
  ConnectionOptions,
  Engine,
  EngineOptions,
  WaitOptions,
  WatchOptions,
  WorkerOptions,
  WorkerPool,
  WorkerTuning,
} from './contract/engine.js';
