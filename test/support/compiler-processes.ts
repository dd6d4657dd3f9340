/**
 * Ground truth for "which compiler ran": samples the host's process table
 * (what `docker top` reads) for gcc's compiler proper (`cc1`, `cc1plus`)
 * while builds run, with the Docker container each process belongs to. A
 * process qemu emulates shows the emulator as argv[0] (binfmt_misc with the
 * P flag keeps the program's own path as argv[1]); a native one is the
 * compiler itself.
 */
import { readFile, readdir } from 'node:fs/promises';

export interface CompilerProcess {
  pid: number;
  /** The 64-hex Docker container id from the process's cgroup. */
  container: string | undefined;
  argv: string[];
  /** `cc1` or `cc1plus`. */
  program: string;
  /** argv[0] is a qemu binfmt interpreter. */
  emulated: boolean;
}

const COMPILER = /\/(cc1|cc1plus)$/;

async function sample(seen: Map<number, CompilerProcess>): Promise<void> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return;
  }
  await Promise.all(
    pids.map(async (p) => {
      const pid = Number(p);
      if (seen.has(pid)) return;
      try {
        const argv = (await readFile(`/proc/${p}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
        const emulated = /qemu/.test(argv[0] ?? '');
        const program = (emulated ? argv[1] : argv[0]) ?? '';
        const match = COMPILER.exec(program);
        if (match === null) return;
        const cgroup = await readFile(`/proc/${p}/cgroup`, 'utf8').catch(() => '');
        const container = /([0-9a-f]{64})/.exec(cgroup)?.[1];
        seen.set(pid, { pid, container, argv, program: match[1]!, emulated });
      } catch {
        // The process ended between readdir and read.
      }
    }),
  );
}

/** Samples every `intervalMs` until `stop()`, which returns every compiler process seen. */
export function watchCompilerProcesses(intervalMs = 20): { stop(): Promise<CompilerProcess[]> } {
  const seen = new Map<number, CompilerProcess>();
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample(seen);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen.values()];
    },
  };
}
