import type { FarmConfig } from '../config/schema.js';
import type { Engine, EngineOptions } from './engine.js';

/** Builds an `Engine` (implementation in progress). */
export async function createEngine(_config: FarmConfig, _options: EngineOptions): Promise<Engine> {
  throw new Error('engine not implemented yet');
}
