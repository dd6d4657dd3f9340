/**
 * Ground truth for "which compiler ran": samples the host's process table
 * (what `docker top` reads) for gcc's compiler proper (`cc1`, `cc1plus`)
 * while builds run, with the Docker container each process belongs to. A
 * process qemu emulates shows the emulator as argv[0] (binfmt_misc with the
 * P flag keeps the program's own path as argv[1]); a native one is the
 * compiler itself.
 *
 * Only containers' processes are read, from their cgroups (Docker's cgroup
 * directories are named by container id): a scan of all of /proc every
 * 20 ms took 40% of a core on a busy 2-core machine. Without a known cgroup
 * layout it falls back to that scan.
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
const CONTAINER_ID = /([0-9a-f]{64})/;

/**
 * Where Docker's cgroups are: cgroup v1 (a controller's `docker/<id>`), v2
 * with the cgroupfs driver (`docker/<id>`), v2 with systemd
 * (`system.slice/docker-<id>.scope`).
 */
const CGROUP_PARENTS = ['/sys/fs/cgroup/pids/docker', '/sys/fs/cgroup/docker', '/sys/fs/cgroup/system.slice'];

/** The pids of every container's processes, with the container id; undefined when no layout is known. */
async function containerPids(only: (container: string) => boolean): Promise<{ pid: string; container: string }[] | undefined> {
  for (const parent of CGROUP_PARENTS) {
    let dirs: string[];
    try {
      dirs = await readdir(parent);
    } catch {
      continue;
    }
    const found: { pid: string; container: string }[] = [];
    await Promise.all(
      dirs.map(async (dir) => {
        const container = CONTAINER_ID.exec(dir)?.[1];
        if (container === undefined || !only(container)) return;
        const procs = await readFile(`${parent}/${dir}/cgroup.procs`, 'utf8').catch(() => '');
        for (const pid of procs.split('\n')) if (pid !== '') found.push({ pid, container });
      }),
    );
    return found;
  }
  return undefined;
}

async function allPids(): Promise<{ pid: string; container: string | undefined }[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p));
  return Promise.all(
    pids.map(async (pid) => ({ pid, container: CONTAINER_ID.exec(await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => ''))?.[1] })),
  );
}

async function sample(seen: Map<number, CompilerProcess>, only: (container: string) => boolean): Promise<void> {
  const pids = (await containerPids(only)) ?? (await allPids()).filter((p) => p.container !== undefined && only(p.container));
  await Promise.all(
    pids.map(async ({ pid: p, container }) => {
      const pid = Number(p);
      if (seen.has(pid)) return;
      try {
        const argv = (await readFile(`/proc/${p}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
        const emulated = /qemu/.test(argv[0] ?? '');
        const program = (emulated ? argv[1] : argv[0]) ?? '';
        const match = COMPILER.exec(program);
        if (match === null) return;
        seen.set(pid, { pid, container, argv, program: match[1]!, emulated });
      } catch {
        // The process ended between the listing and the read.
      }
    }),
  );
}

/**
 * Samples the containers `only` accepts (by id) every `intervalMs` until
 * `stop()`, which returns every compiler process seen.
 */
export function watchCompilerProcesses(only: (container: string) => boolean, intervalMs = 50): { stop(): Promise<CompilerProcess[]> } {
  const seen = new Map<number, CompilerProcess>();
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample(seen, only);
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
