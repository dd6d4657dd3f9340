/**
 * `GET /requests/:id`: the id a webhook answer or `farm schedule run` gave is
 * a trigger id; once the trigger worker has submitted, it leads to the build
 * request and its status is exactly the engine's (`farm status --json`).
 * Before that, a status of the same shape says `queued` (or `failed` with the
 * reason, e.g. the commit could not be fetched). Engine ids work too.
 */
import type { FarmConfig } from '../config/schema.js';
import { RequestStatus } from '../pipeline/contract/request-types.js';
import type { StatusReader } from '../tracked/build-submitter.js';
import type { TriggerRecord, TriggerRecords } from '../tracked/trigger-records.js';

/** A `RequestStatus` for a trigger that has no build request yet. */
export function pendingStatus(record: TriggerRecord, config: Pick<FarmConfig, 'sets' | 'python' | 'upstream'>): RequestStatus {
  const set = config.sets.find((s) => s.name === record.set);
  const metadata: Record<string, string> = { set: record.set, trigger: record.id };
  for (const key of ['forge', 'sha', 'ref', 'repository', 'delivery'] as const) {
    const value = record[key];
    if (value !== undefined) metadata[key] = value;
  }
  metadata['triggerState'] = record.state;
  return RequestStatus.parse({
    id: record.id,
    state: record.state === 'failed' ? 'failed' : 'queued',
    origin: record.origin,
    metadata,
    targets: set?.targets ?? [],
    python: set?.python ?? config.python,
    indexUrl: config.upstream.indexUrl,
    requirementFiles: [],
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.state === 'failed' ? { finishedAt: record.updatedAt } : {}),
    rows: [],
    ...(record.error === undefined ? {} : { error: record.error }),
  });
}

/** The status for `id`: through its trigger record when it has one, else straight from the engine. */
export async function requestStatus(
  id: string,
  deps: { records: TriggerRecords; engine: StatusReader; config: Pick<FarmConfig, 'sets' | 'python' | 'upstream'> },
): Promise<RequestStatus> {
  const record = await deps.records.get(id);
  if (record === undefined) return deps.engine.status(id);
  if (record.requestId !== undefined) return deps.engine.status(record.requestId);
  return pendingStatus(record, deps.config);
}
