/**
 * A private redis-server for one-machine use: bound to a unix socket in
 * farm's state directory, no TCP port, no persistence. It must never outlive
 * farm: it is stopped when the callback ends, on SIGINT/SIGTERM, on process
 * exit, and a stale one left by a SIGKILLed farm is stopped on the next start
 * (found through its pid file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { HostError } from '../errors.js';

/** Unix socket paths are limited to 108 bytes (sun_path). */
const MAX_SOCKET_PATH = 100;

/** Where the socket goes: in the state dir, or a hashed name in /tmp when that path is too long. */
export function embeddedSocketPath(stateDir: string): string {
  const inState = path.join(path.resolve(stateDir), 'redis.sock');
  if (Buffer.byteLength(inState) <= MAX_SOCKET_PATH) return inState;
  const hash = createHash('sha256').update(inState).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `farm-redis-${hash}.sock`);
}

async function stopStale(pidFile: string, socketPath: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    // redis-server rewrites its title to `redis-server unixsocket:<path>`.
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
    // Only a redis-server of ours: our socket on its command line.
    if (cmdline.includes('redis-server') && cmdline.includes(socketPath)) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running any more.
  }
}

async function waitReady(child: ChildProcess, socketPath: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new HostError(`redis-server exited at start (${child.exitCode ?? child.signalCode}): ${output().trim()}`);
    }
    const client = new Redis({ path: socketPath, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new HostError(`redis-server did not answer on ${socketPath} within 15 s`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}

/**
 * Runs `fn` with a private `redis-server` bound to a unix socket in
 * `stateDir` (`--port 0 --save '' --appendonly no`), and stops it afterwards,
 * also when `fn` throws or the process gets SIGINT/SIGTERM. `fn` receives
 * the `unix://` URL. Throws `HostError` when redis-server can't be started.
 */
export async function withEmbeddedRedis<T>(
  stateDir: string,
  fn: (redisUrl: string) => Promise<T>,
  options: { serverBinary?: string } = {},
): Promise<T> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const socketPath = embeddedSocketPath(stateDir);
  const pidFile = path.join(path.resolve(stateDir), 'redis.pid');
  await stopStale(pidFile, socketPath);
  await rm(socketPath, { force: true });

  const binary = options.serverBinary ?? 'redis-server';
  const args = [
    '--port', '0',
    '--unixsocket', socketPath,
    '--unixsocketperm', '700',
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--pidfile', pidFile,
    '--dir', path.resolve(stateDir),
    '--loglevel', 'warning',
    // BullMQ requires that Redis never evicts its keys.
    '--maxmemory-policy', 'noeviction',
  ];
  let output = '';
  // Its own process group: a Ctrl-C in the terminal goes to farm, which may
  // still need Redis to cancel the request cleanly; farm stops Redis itself.
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error) =>
      reject(
        new HostError(`cannot start ${binary}: ${error.message}`, {
          cause: error,
          hint: 'install it (apt-get install redis-server) or set REDIS_URL to use an existing Redis',
        }),
      ),
    );
  });

  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // When the program handles the signal itself (the CLI cancels the request
  // first), leave Redis running for it: `fn` ends and the finally below stops
  // Redis, or the 'exit' hook does. Otherwise stop Redis and let the signal
  // terminate the process as it would have.
  const onSignal = (signal: NodeJS.Signals, self: () => void) => {
    if (process.listenerCount(signal) > 1) return;
    killNow();
    process.off(signal, self);
    process.kill(process.pid, signal);
  };
  const onSigint = () => onSignal('SIGINT', onSigint);
  const onSigterm = () => onSignal('SIGTERM', onSigterm);
  process.on('exit', killNow);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  const stop = async () => {
    process.off('exit', killNow);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(socketPath, { force: true });
    await rm(pidFile, { force: true });
  };

  try {
    await spawned;
    await waitReady(child, socketPath, () => output);
    return await fn(`unix://${socketPath}`);
  } finally {
    await stop();
  }
}
