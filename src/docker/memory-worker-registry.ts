import type { WorkerHeartbeat } from './worker-registry.js';

/**
 * An in-process registry with the same expiry semantics as the Redis one; for
 * tests and single-process runs. The clock is injectable so expiry can be
 * tested without waiting.
 */
export class InMemoryWorkerRegistry implements WorkerHeartbeat {
  readonly #expiresAt = new Map<string, number>();
  readonly #known = new Set<string>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async heartbeat(workerId: string): Promise<void> {
    this.#expiresAt.set(workerId, this.now() + this.ttlMs);
    this.#known.add(workerId);
  }

  async unregister(workerId: string): Promise<void> {
    this.#expiresAt.delete(workerId);
  }

  async isKnown(workerId: string): Promise<boolean> {
    return this.#known.has(workerId);
  }

  async isAlive(workerId: string): Promise<boolean> {
    const expiresAt = this.#expiresAt.get(workerId);
    return expiresAt !== undefined && expiresAt > this.now();
  }
}
