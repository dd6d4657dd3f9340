import type { FarmConfig } from '../config/schema.js';
import type { WorkerOptions, WorkerPool } from './engine.js';

/** Starts the workers of one process (implementation in progress). */
export function startWorkerPool(_config: FarmConfig, _options: WorkerOptions): WorkerPool {
  throw new Error('workers not implemented yet');
}
