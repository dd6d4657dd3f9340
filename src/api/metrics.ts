/**
 * Prometheus metrics of `farm api` (prom-client, own registry): queue depth
 * per target, builds by outcome, build durations, webhook deliveries. Build
 * outcomes come from the engine's request statuses: each scrape reads the
 * recent requests and counts the rows of those that finished since the last
 * scrape, so nothing in the build path has to report to the API.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestStatus, RequestSummary } from '../pipeline/contract/request-types.js';

/** Where the numbers come from. */
export interface MetricsSources {
  /** Jobs waiting, delayed or running, per target id. */
  queueDepths(): Promise<Record<string, number>>;
  /** Recent requests, newest first (the engine's `list`). */
  listRequests?(limit: number): Promise<RequestSummary[]>;
  /** A request's status (the engine's `status`). */
  status?(requestId: string): Promise<RequestStatus>;
}

/** The registry and the hooks the server calls. */
export interface ApiMetrics {
  readonly registry: Registry;
  /** Counts one webhook delivery by forge and how it was answered. */
  delivery(forge: string, status: string): void;
  /** Marks the requests finished so far as seen, so counters start at process start. */
  baseline(): Promise<void>;
  /** Refreshes and renders the exposition text. */
  render(): Promise<string>;
}

/** Row states that end a row, i.e. the build outcomes counted. */
const OUTCOMES = new Set(['built', 'failed', 'mirrored', 'cached', 'skipped', 'shared']);
/** How many recent requests each scrape looks at. */
const WINDOW = 200;

/** Creates the metrics; the caller serves `render()` at `/metrics`. */
export function createMetrics(sources: MetricsSources): ApiMetrics {
  const registry = new Registry();
  new Gauge({
    name: 'farm_queue_depth',
    help: 'Build and resolve jobs waiting, delayed or running, per target',
    labelNames: ['target'],
    registers: [registry],
    async collect() {
      const depths = await sources.queueDepths();
      for (const [target, depth] of Object.entries(depths)) this.set({ target }, depth);
    },
  });
  const builds = new Counter({
    name: 'farm_builds_total',
    help: 'Package rows of finished requests, by outcome and target',
    labelNames: ['outcome', 'target'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'farm_build_duration_seconds',
    help: 'Wall time of build and mirror jobs',
    labelNames: ['outcome', 'target'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'farm_webhook_deliveries_total',
    help: 'Webhook deliveries by forge and answer (accepted, duplicate, ignored, unauthorized, bad_request, ...)',
    labelNames: ['forge', 'status'],
    registers: [registry],
  });

  const seen = new Set<string>();

  async function finishedUnseen(): Promise<RequestSummary[]> {
    if (sources.listRequests === undefined) return [];
    const recent = await sources.listRequests(WINDOW);
    // Forget ids that fell out of the window: they can't come back.
    const inWindow = new Set(recent.map((r) => r.id));
    for (const id of seen) if (!inWindow.has(id)) seen.delete(id);
    return recent.filter((r) => r.finishedAt !== undefined && !seen.has(r.id));
  }

  return {
    registry,
    delivery(forge, status) {
      deliveries.inc({ forge, status });
    },
    async baseline() {
      for (const r of await finishedUnseen()) seen.add(r.id);
    },
    async render() {
      if (sources.status !== undefined) {
        for (const summary of await finishedUnseen()) {
          seen.add(summary.id);
          const status = await sources.status(summary.id);
          for (const row of status.rows) {
            if (!OUTCOMES.has(row.state)) continue;
            builds.inc({ outcome: row.state, target: row.target });
            if (row.durationMs !== undefined && (row.state === 'built' || row.state === 'failed' || row.state === 'mirrored')) {
              durations.observe({ outcome: row.state, target: row.target }, row.durationMs / 1000);
            }
          }
        }
      }
      return registry.metrics();
    },
  };
}
