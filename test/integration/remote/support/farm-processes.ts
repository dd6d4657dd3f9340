/**
 * The processes of a two-host farm on one machine: `farm api` (a child the
 * test can kill and start again on the same port) and `farm worker`s, a
 * remote one in a mount namespace of its own where a tmpfs hides the main
 * host's directory (repository root, state, tokens): the worker can't read
 * or write it even by mistake, only reach it through `farm api`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { farmNodeArgs, REPO_ROOT, startFarm } from '../../cli/support/farm-process.js';

/** A running farm process and what it printed. */
export interface FarmChild {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when `pattern` appears in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

function track(child: ChildProcess, label: string): FarmChild {
  let text = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer) => {
    text += d.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'gone')));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error === undefined) resolve();
          else reject(error);
        };
        const check = () => {
          if (pattern.test(text)) done();
        };
        const timer = setTimeout(() => done(new Error(`${label}: no ${String(pattern)} within ${timeoutMs} ms; output:\n${text}`)), timeoutMs);
        listeners.add(check);
        void exited.then((code) => done(pattern.test(text) ? undefined : new Error(`${label} exited (${code}) before ${String(pattern)}; output:\n${text}`)));
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `farm api` on the port of the config; resolves once `/healthz` answers. */
export async function startApiProcess(env: NodeJS.ProcessEnv, port: number): Promise<FarmChild> {
  const api = track(startFarm(['api'], { env }), 'farm api');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return api;
    if (api.child.exitCode !== null || Date.now() > deadline) {
      await api.kill();
      throw new Error(`farm api did not start:\n${api.output()}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `farm <args>` on the main host (its own namespace: the test's). */
export function startServerProcess(args: readonly string[], env: NodeJS.ProcessEnv, label: string): FarmChild {
  return track(startFarm(args, { env }), label);
}

/**
 * `farm <args>` in a new mount namespace where `hidden` is an empty tmpfs:
 * the main host's files are not there for this process or its children.
 */
export function startHiddenFrom(hidden: string, args: readonly string[], env: NodeJS.ProcessEnv, label: string): FarmChild {
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m,mode=0700 farm-hidden "$1" && shift && exec "$@"', 'sh', hidden, process.execPath, ...farmNodeArgs(args)],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return track(child, label);
}
