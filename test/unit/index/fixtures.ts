import type { IndexFile, IndexProject } from '../../../src/index/project-view.js';

const SHA = (c: string): string => c.repeat(64);

/** A wheel record with defaults; override what a case is about. */
export function indexFile(overrides: Partial<IndexFile> & { filename: string; version: string }): IndexFile {
  return {
    sha256: SHA('a'),
    size: 1234,
    uploadTime: '2024-05-01T12:00:00.000Z',
    requiresPython: null,
    requiresDist: [],
    summary: null,
    metadataSha256: SHA('b'),
    yanked: false,
    yankedReason: '',
    ...overrides,
  };
}

export function indexProject(name: string, project: string, files: IndexFile[]): IndexProject {
  return { name, project, files };
}
