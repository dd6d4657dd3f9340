import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/api/metrics.js';
import { pendingStatus } from '../../../src/api/request-status.js';
import { parseConfig } from '../../../src/config/load-config.js';
import type { PackageRow, RequestStatus, RequestSummary } from '../../../src/pipeline/contract/request-types.js';

const at = '2024-01-01T00:00:00.000Z';

function status(id: string, rows: PackageRow[]): RequestStatus {
  return {
    id,
    state: 'done',
    origin: 'webhook',
    metadata: {},
    targets: ['glibc-x86_64'],
    python: ['3.11'],
    indexUrl: 'https://pypi.org/simple/',
    requirementFiles: [],
    createdAt: at,
    updatedAt: at,
    finishedAt: at,
    rows,
    indexedRepositories: [],
    resolveLogs: {},
  };
}

const row = (name: string, state: PackageRow['state'], durationMs?: number): PackageRow => ({
  name,
  version: '1.0',
  target: 'glibc-x86_64',
  python: '3.11',
  state,
  ...(durationMs === undefined ? {} : { durationMs }),
});

describe('createMetrics', () => {
  it('counts builds of requests finished since start, once each, and exposes queue depth', async () => {
    const statuses = new Map<string, RequestStatus>([['old', status('old', [row('a', 'built', 1000)])]]);
    const summaries: RequestSummary[] = [{ id: 'old', state: 'done', origin: 'cli', targets: [], createdAt: at, finishedAt: at, counts: {} }];
    const metrics = createMetrics({
      queueDepths: async () => ({ 'glibc-x86_64': 3, 'musl-x86_64': 0 }),
      listRequests: async () => summaries,
      status: async (id) => statuses.get(id)!,
    });
    await metrics.baseline();
    statuses.set('new', status('new', [row('b', 'built', 2500), row('c', 'failed', 500), row('d', 'cached')]));
    summaries.unshift({ id: 'new', state: 'done', origin: 'webhook', targets: [], createdAt: at, finishedAt: at, counts: {} });
    summaries.unshift({ id: 'running', state: 'building', origin: 'cli', targets: [], createdAt: at, counts: {} });
    metrics.delivery('github', 'accepted');

    const text = await metrics.render();
    expect(text).toContain('farm_queue_depth{target="glibc-x86_64"} 3');
    expect(text).toContain('farm_builds_total{outcome="built",target="glibc-x86_64"} 1');
    expect(text).toContain('farm_builds_total{outcome="failed",target="glibc-x86_64"} 1');
    expect(text).toContain('farm_builds_total{outcome="cached",target="glibc-x86_64"} 1');
    expect(text).toContain('farm_build_duration_seconds_count{outcome="built",target="glibc-x86_64"} 1');
    expect(text).toContain('farm_build_duration_seconds_sum{outcome="built",target="glibc-x86_64"} 2.5');
    expect(text).toContain('farm_webhook_deliveries_total{forge="github",status="accepted"} 1');
    // A second scrape counts nothing twice.
    expect(await metrics.render()).toContain('farm_builds_total{outcome="built",target="glibc-x86_64"} 1');
  });
});

describe('pendingStatus', () => {
  it('has the shape of a request status while the trigger has no build request yet', () => {
    const config = parseConfig(
      'sets: [{ name: web, source: { kind: git, url: "https://x.example/a.git" }, targets: [musl-x86_64], python: ["3.12"] }]',
      'x',
    );
    const pending = pendingStatus(
      { id: 't1', set: 'web', origin: 'webhook', state: 'fetching', sha: 'a'.repeat(40), createdAt: at, updatedAt: at },
      config,
    );
    expect(pending).toMatchObject({ id: 't1', state: 'queued', targets: ['musl-x86_64'], python: ['3.12'], rows: [] });
    expect(pending.metadata).toMatchObject({ set: 'web', trigger: 't1', triggerState: 'fetching' });
    const failed = pendingStatus({ id: 't2', set: 'web', origin: 'schedule', state: 'failed', error: 'no such commit', createdAt: at, updatedAt: at }, config);
    expect(failed).toMatchObject({ state: 'failed', error: 'no such commit', finishedAt: at });
  });
});
