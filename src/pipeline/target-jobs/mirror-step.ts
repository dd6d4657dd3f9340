/**
 * The mirror job: upstream already has the wheel pip chose, so farm
 * downloads it by the report's URL, checks its sha256 against the index's,
 * and collects it, so the private index serves the whole set.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { WheelRejectedError } from '../../errors.js';
import { downloadCachePath, downloadVerified } from '../../upstream/download.js';
import { isWheelFilename, parseWheelFilename } from '../../wheels/wheel-filename.js';
import type { MirrorJobData } from '../contract/job-data.js';
import { mirrorLogPath } from '../contract/log-paths.js';
import type { RepositoryPort } from '../contract/repository-port.js';

export interface MirrorEnvironment {
  repo: RepositoryPort;
  stateDir: string;
  workerId: string;
  downloadTimeoutMs: number;
}

export interface MirrorOutcome {
  state: 'mirrored' | 'cached';
  wheel: string;
  logPath: string;
}

/** Downloads, verifies and collects one wheel. Throws `TransientError` (retried) or `WheelRejectedError`. */
export async function runMirror(env: MirrorEnvironment, data: MirrorJobData, signal?: AbortSignal): Promise<MirrorOutcome> {
  const logPath = mirrorLogPath(env.stateDir, data.requestId, data.name, data.repository);
  await mkdir(path.dirname(logPath), { recursive: true });
  const log = (line: string) => appendFile(logPath, `# farm: ${new Date().toISOString()} ${line}\n`);
  if (!isWheelFilename(data.filename) || parseWheelFilename(data.filename).name !== data.name) {
    throw new WheelRejectedError(data.filename, `not a wheel of ${data.name}`);
  }
  if ((await env.repo.listWheels(data.repository, [data.name])).includes(data.filename)) {
    await log(`${data.filename} is already in ${data.repository}`);
    return { state: 'cached', wheel: data.filename, logPath };
  }
  await log(`mirror ${data.url} (sha256 ${data.sha256 ?? 'not given by the index'}) by worker ${env.workerId}`);
  const downloads = path.join(env.stateDir, 'downloads');
  const dest =
    downloadCachePath(downloads, data.filename, data.sha256) ??
    path.join(downloads, 'unverified', `${Date.now()}-${process.pid}`, data.filename);
  const file = await downloadVerified({
    url: data.url,
    dest,
    sha256: data.sha256,
    timeoutMs: env.downloadTimeoutMs,
    ...(signal !== undefined ? { signal } : {}),
  });
  await log(`downloaded ${file.size} bytes, sha256 ${file.sha256}${file.reused ? ' (from the download cache)' : ''}`);
  const collected = await env.repo.collect(data.repository, file.path, { mirror: { url: data.url } });
  await log(`collected ${collected.filename} into ${data.repository}${collected.added ? '' : ' (already there)'}`);
  return { state: collected.added ? 'mirrored' : 'cached', wheel: collected.filename, logPath };
}
