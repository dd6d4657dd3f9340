/**
 * Reuses a resolution when nothing it depended on changed. pip's answer is a
 * function of its inputs: the image (interpreter, pip version, platform), the
 * requirements, the index pages of the projects it visited and, through
 * `--find-links`, the repository's wheels of those projects. When all of them
 * are unchanged, running pip again (minutes under qemu for a big set) would
 * give the same pinned set, so the resolve job returns the recorded one.
 * Repository wheels of exactly the pinned versions don't count: they are
 * what farm builds from the resolution, and pip would pin the same version.
 *
 * The fingerprint is taken right after pip ran; a release uploaded during
 * that run is picked up by the next change of any page of the set, or when
 * the entry expires (`CACHE_TTL_SECONDS`).
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { z } from 'zod';
import { validate } from '../../validation/validate.js';
import type { ResolveJobData } from '../contract/job-data.js';
import type { ResolveCacheEntries } from '../store/resolve-cache-entries.js';
import { isWheelFilename, parseWheelFilename } from '../../wheels/wheel-filename.js';
import { sameVersion } from '../../wheels/version-equality.js';
import { ResolvedSet } from '../contract/resolved-set.js';
import type { RepositoryPort } from '../contract/repository-port.js';

/** How long a recorded resolution may be reused at most. */
export const CACHE_TTL_SECONDS = 7 * 24 * 3600;

const Entry = z.strictObject({
  set: ResolvedSet,
  image: z.strictObject({ reference: z.string(), id: z.string() }),
  fingerprint: z.string(),
  resolvedAt: z.iso.datetime(),
});
export type ResolveCacheEntry = z.infer<typeof Entry>;

const sha256 = (parts: readonly string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** The inputs pip saw, except the index and repository state (see `fingerprint`). */
export function resolveCacheKey(data: ResolveJobData, imageId: string): string {
  return sha256([
    'resolve/2',
    data.target,
    data.python,
    imageId,
    data.repository,
    data.indexUrl,
    ...data.extraIndexUrls,
    data.requirementsText,
    data.constraintsText,
    // Recipes' build requirements change the build environments.
    JSON.stringify(Object.entries(data.recipes).sort(([a], [b]) => (a < b ? -1 : 1))),
  ]);
}

export class ResolveCache {
  constructor(
    readonly entries: ResolveCacheEntries,
    readonly repo: RepositoryPort,
    /** Fetches an index page (tests pass their own; default: global fetch). */
    readonly fetchPage: (url: string) => Promise<string> = defaultFetchPage,
  ) {}

  /**
   * Hash of every index page (each index URL) of the set's projects and of
   * the repository's wheels of them in versions other than the pinned ones. Undefined when a page can't be fetched: then the
   * state is unknown and pip must run.
   */
  async fingerprint(data: ResolveJobData, set: ResolvedSet): Promise<string | undefined> {
    const limit = pLimit(8);
    const indexes = [data.indexUrl, ...data.extraIndexUrls].map((u) => (u.endsWith('/') ? u : `${u}/`));
    // Build environments' projects count like the set's own: their pages decide the environments.
    const all = [...set.packages, ...set.buildEnvs.flatMap((e) => e.packages)];
    const pinned = new Map<string, Set<string>>();
    for (const p of all) pinned.set(p.name, (pinned.get(p.name) ?? new Set()).add(p.version));
    const sorted = [...pinned.keys()].sort();
    try {
      const pages = await Promise.all(
        sorted.flatMap((project) => indexes.map((index) => limit(async () => sha256([index, project, await this.fetchPage(`${index}${project}/`)])))),
      );
      const otherVersions = (await this.repo.listWheels(data.repository, sorted))
        .filter((file) => {
          if (!isWheelFilename(file)) return true;
          const wheel = parseWheelFilename(file);
          const versions = pinned.get(wheel.name);
          return versions === undefined || ![...versions].some((v) => sameVersion(wheel.version, v));
        })
        .sort();
      return sha256(['fingerprint/1', ...pages, ...otherVersions]);
    } catch {
      return undefined;
    }
  }

  /** The recorded resolution, if its fingerprint still holds. */
  async lookup(data: ResolveJobData, imageId: string): Promise<ResolveCacheEntry | undefined> {
    const text = await this.entries.get(resolveCacheKey(data, imageId));
    if (text === undefined) return undefined;
    let entry: ResolveCacheEntry;
    try {
      entry = validate(Entry, JSON.parse(text), 'resolve cache entry');
    } catch {
      return undefined;
    }
    const now = await this.fingerprint(data, entry.set);
    return now !== undefined && now === entry.fingerprint ? entry : undefined;
  }

  /** Records a fresh resolution with the current fingerprint of its projects. */
  async store(data: ResolveJobData, entry: Omit<ResolveCacheEntry, 'fingerprint' | 'resolvedAt'>): Promise<void> {
    const fingerprint = await this.fingerprint(data, entry.set);
    if (fingerprint === undefined) return;
    const value: ResolveCacheEntry = { ...entry, fingerprint, resolvedAt: new Date().toISOString() };
    await this.entries.set(resolveCacheKey(data, entry.image.id), JSON.stringify(value), CACHE_TTL_SECONDS);
  }
}

async function defaultFetchPage(url: string): Promise<string> {
  const response = await fetch(url, {
    headers: { Accept: 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01' },
    signal: AbortSignal.timeout(30_000),
  });
  // A project missing from one of several indexes is a state like any other.
  if (response.status === 404) return 'HTTP 404';
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}
