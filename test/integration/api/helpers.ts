/**
 * Shared set-up of the triggers' integration tests: a random Redis prefix per
 * test (cleaned up after), a captured pino log, signing helpers.
 */
import { dropRedisPrefix } from '../../support/redis-prefix.js';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../../src/config/load-config.js';
import type { FarmConfig } from '../../../src/config/schema.js';

export const REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A fresh prefix; every key the test makes lives under it. */
export function testPrefix(area = 'trig'): string {
  return `farmtest-${area}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (BullMQ's and farm's). */
export async function dropPrefix(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  await dropRedisPrefix(prefix, redisUrl);
}

/** Every JSON line pino writes, kept for assertions (e.g. "no secret was logged"). */
export class LogCapture {
  readonly lines: string[] = [];
  write(chunk: string): boolean {
    this.lines.push(...chunk.split('\n').filter((l) => l !== ''));
    return true;
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** Config from YAML plus test defaults. */
export function testConfig(yaml: string): FarmConfig {
  return parseConfig(yaml, 'test config');
}

/** An engine stand-in for tests that never reach the pipeline (they stop at the queue). */
export const unusedEngine = {
  submit(): Promise<string> {
    throw new Error('this test does not submit builds');
  },
  status(): Promise<never> {
    throw new Error('this test does not read build status');
  },
};

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
