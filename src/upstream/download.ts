/**
 * Fetching distribution files from the upstream index: streamed to a
 * temporary file, hashed on the way, checked against the index's sha256 and
 * only then renamed into place. A half-downloaded or tampered file never
 * appears under its final name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, TransientError } from '../errors.js';
import { digestingStream, hashFile } from '../files/hash-file.js';

export interface DownloadOptions {
  url: string;
  /** Final path of the file. */
  dest: string;
  /** Expected hex sha256; when given, a mismatch is an error and nothing is kept. */
  sha256?: string | undefined;
  /** Whole-download limit (default 10 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Downloaded {
  path: string;
  sha256: string;
  size: number;
  /** True when `dest` already held the file with the expected hash. */
  reused: boolean;
}

/**
 * Downloads `url` to `dest`. An existing `dest` with the expected hash is
 * reused (the download cache). HTTP errors, network errors and hash
 * mismatches are `TransientError`s (the queue retries them: proxies corrupt
 * and mirrors lag); an aborted `signal` is a `CancelledError`.
 */
export async function downloadVerified(options: DownloadOptions): Promise<Downloaded> {
  const { url, dest } = options;
  const expected = options.sha256?.toLowerCase();
  if (expected !== undefined) {
    try {
      const info = await stat(dest);
      if (info.isFile() && (await hashFile(dest)).sha256 === expected) {
        return { path: dest, sha256: expected, size: info.size, reused: true };
      }
    } catch {
      // Not cached yet.
    }
  }
  await mkdir(path.dirname(dest), { recursive: true });
  const temp = `${dest}.part-${randomBytes(6).toString('hex')}`;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      throw failure(url, error, options.signal);
    }
    if (!response.ok || response.body === null) {
      throw new TransientError(`download ${url}: HTTP ${response.status} ${response.statusText}`);
    }
    const tap = digestingStream();
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), tap.stream, createWriteStream(temp));
    } catch (error) {
      throw failure(url, error, options.signal);
    }
    const { sha256: actual, size } = tap.digest();
    if (expected !== undefined && actual !== expected) {
      throw new TransientError(`download ${url}: sha256 is ${actual}, the index says ${expected}`);
    }
    await rename(temp, dest);
    return { path: dest, sha256: actual, size, reused: false };
  } finally {
    await rm(temp, { force: true });
  }
}

function failure(url: string, error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted === true) return new CancelledError(`download ${url}: cancelled`);
  if (error instanceof TransientError) return error;
  return new TransientError(`download ${url}: ${(error as Error).message}`, { cause: error });
}

/** The cache path of a file by its hash: `<dir>/<sha256>/<filename>`. */
export function downloadCachePath(cacheDir: string, filename: string, sha256: string | undefined): string | undefined {
  if (sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256) || filename.includes('/') || filename.startsWith('.')) {
    return undefined;
  }
  return path.join(cacheDir, sha256, filename);
}
