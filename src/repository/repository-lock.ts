import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostError } from '../errors.js';

/** Who holds a lock file; written into it as JSON. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Kernel start time of the process (Linux `/proc/<pid>/stat` field 22), to spot a reused pid. */
  readonly startTime: string | null;
  readonly token: string;
  readonly acquiredAt: string;
}

export interface LockOptions {
  /** Give up after this long (default 10 minutes: a full regeneration of a huge repository). */
  readonly timeoutMs?: number;
  /** Called once when the lock is busy, with its holder, e.g. to print "waiting for pid 123". */
  readonly onWait?: (owner: LockOwner | null) => void;
}

/** A held lock. */
export interface LockHandle {
  readonly owner: LockOwner;
  release(): void;
}

/** A lock file that can't be read back within this time was left by a writer that crashed mid-create. */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Takes `lockFile` exclusively: created with O_EXCL, so exactly one process
 * (or one caller in this process) holds it. A lock left by a process that
 * died is broken when its pid no longer runs on this host, or runs with a
 * different start time (the pid was reused). Breaking happens under a second
 * O_EXCL guard file and only if the lock still has the content that was
 * judged stale, so two waiters can't both break it and then remove each
 * other's fresh lock. A lock held from another host is never broken: farm
 * can't see that host's processes.
 *
 * @throws HostError when the lock is still held after `timeoutMs`, naming the holder.
 */
export async function acquireLock(lockFile: string, options: LockOptions = {}): Promise<LockHandle> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startTime: processStartTime(process.pid),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  const content = JSON.stringify(owner);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  let waited = false;
  let delay = 10;
  for (;;) {
    if (tryCreate(lockFile, content)) {
      return { owner, release: () => releaseLock(lockFile, owner.token) };
    }
    const seen = readLock(lockFile);
    if (seen === undefined) continue;
    if (isStale(lockFile, seen)) {
      breakStaleLock(lockFile, seen.raw);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.(seen.owner);
    }
    if (Date.now() >= deadline) {
      const holder = seen.owner;
      throw new HostError(
        `${lockFile}: still locked after ${Math.round(timeoutMs / 1000)}s` +
          (holder ? ` by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt}` : ''),
        { hint: `if that process is gone, remove ${lockFile}` },
      );
    }
    // Jitter keeps several waiters from retrying in lock-step.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
}

/** Runs `fn` while holding `lockFile`; always releases it. */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const handle = await acquireLock(lockFile, options);
  try {
    return await fn();
  } finally {
    handle.release();
  }
}

function tryCreate(lockFile: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockFile, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface SeenLock {
  readonly raw: string;
  readonly owner: LockOwner | null;
}

/** `undefined` when the file vanished in between (the holder released it). */
function readLock(lockFile: string): SeenLock | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { raw, owner: parseOwner(raw) };
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
    if (value && typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        startTime: typeof value.startTime === 'string' ? value.startTime : null,
        token: value.token,
        acquiredAt: typeof value.acquiredAt === 'string' ? value.acquiredAt : '',
      };
    }
  } catch {
    // An empty or half-written file: judged by its age below.
  }
  return null;
}

function isStale(lockFile: string, seen: SeenLock): boolean {
  const owner = seen.owner;
  if (owner === null) {
    try {
      return Date.now() - fs.statSync(lockFile).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false;
    }
  }
  if (owner.host !== os.hostname()) return false;
  return !isProcessAlive(owner.pid, owner.startTime);
}

/** True when `pid` runs and (where the kernel tells) started at `startTime`. */
export function isProcessAlive(pid: number, startTime: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === null) return true;
  const current = processStartTime(pid);
  return current === null || current === startTime;
}

/** Linux: field 22 of `/proc/<pid>/stat`; `null` elsewhere. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function breakStaleLock(lockFile: string, staleContent: string): void {
  const guard = `${lockFile}.break`;
  if (!tryCreate(guard, String(process.pid))) {
    // Another waiter is breaking it right now (a few microseconds), unless it died doing so.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > UNREADABLE_GRACE_MS) fs.rmSync(guard, { force: true });
    } catch {
      // Gone already.
    }
    return;
  }
  try {
    const current = readLock(lockFile);
    if (current !== undefined && current.raw === staleContent) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function releaseLock(lockFile: string, token: string): void {
  const seen = readLock(lockFile);
  // Only remove our own lock: if ours was (wrongly) broken, the file is someone else's now.
  if (seen?.owner?.token === token) fs.rmSync(lockFile, { force: true });
}
