/**
 * A process that only runs workers: `node worker-main.js '<json options>'`
 * (or through tsx). The config comes from the environment like the CLI's
 * (`FARM_CONFIG`, `REDIS_URL`, …); argv[2] holds `WorkerOptions` as JSON.
 * Prints `ready <worker id>` once the workers listen, and stops gracefully
 * on SIGTERM/SIGINT. Tests run it as a child they can SIGKILL mid-build;
 * `farm worker` is the user-facing way to run workers.
 */
import { z } from 'zod';
import { loadConfig } from '../../config/load-config.js';
import { exitCodeFor } from '../../errors.js';
import { validate } from '../../validation/validate.js';
import { startWorkers } from './worker-pool.js';

const Options = z.strictObject({
  redisUrl: z.string().optional(),
  prefix: z.string().optional(),
  targets: z.array(z.string()).optional(),
  concurrency: z.int().min(1).optional(),
  workerId: z.string().optional(),
  orchestrate: z.boolean().optional(),
  cacheVolumePrefix: z.string().optional(),
  tuning: z
    .strictObject({
      lockDurationMs: z.int().positive().optional(),
      stalledIntervalMs: z.int().positive().optional(),
      maxStalledCount: z.int().min(0).optional(),
      heartbeatTtlSeconds: z.int().positive().optional(),
      sweepIntervalMs: z.int().positive().optional(),
      pollMs: z.int().positive().optional(),
      tokenCheckMs: z.int().positive().optional(),
    })
    .optional(),
  remote: z.strictObject({ serverUrl: z.url(), tokenFile: z.string().min(1) }).optional(),
});

async function main(): Promise<void> {
  const options = validate(Options, JSON.parse(process.argv[2] ?? '{}'), 'worker options (argv[2])');
  const config = await loadConfig(process.env);
  const pool = await startWorkers(config, {
    ...options,
    log: (line) => process.stderr.write(`[worker] ${line}\n`),
  });
  process.stdout.write(`ready ${pool.workerId}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await pool.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = exitCodeFor(error);
});
