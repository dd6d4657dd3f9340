import type { PackageRow, RequestStatus } from '../../../../src/pipeline/contract/request-types.js';

/** A row with defaults, for renderer tests. */
export function row(partial: Partial<PackageRow> & Pick<PackageRow, 'name' | 'target' | 'state'>): PackageRow {
  return { version: '1.0', python: '3.11', ...partial };
}

/** A finished request status with the given rows. */
export function status(rows: PackageRow[], partial: Partial<RequestStatus> = {}): RequestStatus {
  return {
    id: 'req1',
    state: 'done',
    origin: 'cli',
    metadata: {},
    targets: ['glibc-x86_64', 'glibc-armv7', 'musl-x86_64'],
    python: ['3.11'],
    indexUrl: 'http://127.0.0.1:9000/simple/',
    requirementFiles: ['requirements.txt'],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:01:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    rows,
    indexedRepositories: ['glibc', 'musl'],
    resolveLogs: {},
    ...partial,
  };
}
