/**
 * How pip in a build container reaches the repository's published wheels,
 * whichever way the worker has them (`WheelSource`): the main host mounts
 * its `packages/` directory read-only and passes `--find-links`; a remote
 * worker passes the served index as an index URL (a plain-http one on the
 * LAN is trusted like an upstream: `pipTrustEnv`). Pure.
 */
import type { WheelSource } from '../contract/repository-port.js';

/** Where a directory source is mounted in containers. */
export const REPOSITORY_MOUNT = '/repo';

/** What a container step adds for the repository. */
export interface RepositoryAccess {
  /** Read-only mounts (the directory source). */
  readonly mounts: readonly { readonly hostPath: string; readonly containerPath: string }[];
  /** `--find-links` locations. */
  readonly findLinks: readonly string[];
  /** Index URLs (the served index). */
  readonly indexUrls: readonly string[];
  /** URLs in pip's report under this prefix are files of farm's repository. */
  readonly urlPrefix: string;
}

export function repositoryAccess(source: WheelSource): RepositoryAccess {
  if (source.kind === 'directory') {
    return {
      mounts: [{ hostPath: source.hostPath, containerPath: REPOSITORY_MOUNT }],
      findLinks: [REPOSITORY_MOUNT],
      indexUrls: [],
      urlPrefix: `file://${REPOSITORY_MOUNT}/`,
    };
  }
  const url = new URL(source.url);
  return {
    mounts: [],
    findLinks: [],
    indexUrls: [url.href],
    // The served index links its files as `../../packages/<file>` from `<repo>/simple/<project>/`.
    urlPrefix: new URL('../packages/', url).href,
  };
}
