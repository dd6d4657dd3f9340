/**
 * Services of the fault suite's own: a redis-server on a free port with AOF
 * (fsync always), and a second dockerd with its own data root, exec root,
 * socket and pid file, a bridge of its own and no iptables rules. The suite
 * kills and restarts these, never the shared Redis on 6379 or the shared engine.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A redis-server the suite owns: AOF on, its data in `dir`. */
export interface OwnRedis {
  url: string;
  /** `kill -9`, then start again on the same port and AOF: what a crash and restart do. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string): Promise<OwnRedis> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => {
            socket.end();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
      15_000,
      `redis-server on ${port}`,
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      child.kill('SIGKILL');
      await exited(child);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** A dockerd the suite owns, reachable on its own socket. */
export interface OwnDockerd {
  socket: string;
  client: Dockerode;
  /** Stops the engine (SIGTERM, as `systemctl restart` does) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The own engine's bridge. Not `--bridge=none`: a dockerd started with it
 * deletes the interface named docker0 at start-up (moby's
 * removeDefaultBridgeInterface), which is the SHARED engine's bridge, and
 * every container on the host's bridge network loses its gateway.
 */
const OWN_BRIDGE = 'farmfault0';
const OWN_BRIDGE_ADDRESS = '10.254.213.1/24';

async function createBridge(): Promise<void> {
  await run('ip', ['link', 'del', OWN_BRIDGE]).catch(() => undefined);
  await run('ip', ['link', 'add', 'name', OWN_BRIDGE, 'type', 'bridge']);
  await run('ip', ['addr', 'add', OWN_BRIDGE_ADDRESS, 'dev', OWN_BRIDGE]);
  await run('ip', ['link', 'set', OWN_BRIDGE, 'up']);
}

export async function startDockerd(dir: string): Promise<OwnDockerd> {
  const dataRoot = path.join(dir, 'data');
  const execRoot = path.join(dir, 'exec');
  const socket = path.join(dir, 'docker.sock');
  await mkdir(dataRoot, { recursive: true });
  await mkdir(execRoot, { recursive: true });
  let child: ChildProcess;
  const client = new Dockerode({ socketPath: socket });
  const start = async () => {
    child = spawn(
      'dockerd',
      [
        '--data-root', dataRoot,
        '--exec-root', execRoot,
        '-H', `unix://${socket}`,
        '--pidfile', path.join(dir, 'docker.pid'),
        `--bridge=${OWN_BRIDGE}`,
        '--iptables=false',
        '--ip-masq=false',
        '--storage-driver=overlay2',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    await until(async () => existsSync(socket) && (await client.ping().then(() => true, () => false)), 60_000, 'the own dockerd');
  };
  await createBridge();
  await start();
  const stopEngine = async () => {
    child.kill('SIGTERM');
    await exited(child);
  };
  return {
    socket,
    client,
    async restart() {
      await stopEngine();
      await start();
    },
    async stop() {
      await stopEngine();
      await run('ip', ['link', 'del', OWN_BRIDGE]).catch(() => undefined);
    },
  };
}
