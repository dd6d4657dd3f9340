/**
 * `farm doctor`: what a host needs to run farm, checked one piece at a time,
 * each failure with the exact command that fixes it. Pure: the host is seen
 * only through `DoctorProbes`, so tests can simulate any broken host.
 */
import type { DockerHostConfig, FarmConfig } from '../../config/schema.js';
import { TOOLCHAIN_ARCHES } from '../../images/toolchain-image.js';
import type { DockerPlatform, Target } from '../../targets/catalog.js';

/** `warn` does not fail `farm doctor`; `fail` makes it exit 1. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report. */
export interface CheckResult {
  /** What was checked: `docker (local)`, `binfmt glibc-armv7`. */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** The command (or config change) that fixes a warn/fail. */
  fix?: string;
}

/** A Docker engine's answer to a ping. */
export type DockerProbe =
  | { ok: true; version: string; /** Native platform of the engine, e.g. `linux/amd64`. */ platform: DockerPlatform | string }
  | { ok: false; error: string };

/** State of the binfmt_misc handler that runs a foreign platform's binaries. */
export interface BinfmtProbe {
  /** Handler name, e.g. `qemu-arm`. */
  handler: string;
  state: 'enabled' | 'disabled' | 'missing' | 'unmounted';
  /** The command that fixes a non-enabled state. */
  fix?: string;
}

/** Whether a target's builder image is present on the engine. */
export interface ImageProbe {
  image: string;
  source: string;
  present: boolean;
  /** Command that provides the image when absent. */
  fix?: string;
}

/** The host, as doctor sees it. Each probe reports problems as values, never throws. */
export interface DoctorProbes {
  pingDocker(host: DockerHostConfig): Promise<DockerProbe>;
  binfmt(platform: DockerPlatform): Promise<BinfmtProbe>;
  pingRedis(url: string): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Absolute path of an executable on PATH, or undefined. */
  which(binary: string): Promise<string | undefined>;
  image(target: Target, python: string): Promise<ImageProbe>;
  /** Free bytes on the filesystem holding `dir` (or its nearest existing parent). */
  freeSpace(dir: string): Promise<{ path: string; freeBytes: number }>;
  /** Whether the cross toolchain image (hybrid ARM builds, ccache) is present on the engine. */
  toolchain(): Promise<{ image: string; present: boolean }>;
}

/** What doctor checks. */
export interface DoctorInput {
  config: FarmConfig;
  targets: readonly Target[];
  /** Python versions whose images are checked, per target. */
  pythonFor(target: Target): readonly string[];
  /** Docker platform of the machine doctor runs on: the fallback "native" when no engine answers. */
  hostPlatform: string;
  /** Below this many free bytes the disk check fails; below 4× it warns. */
  minFreeBytes?: number;
}

const GiB = 1024 ** 3;

/** Formats bytes as GiB/MiB for reports. */
export function formatBytes(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

async function dockerChecks(input: DoctorInput, probes: DoctorProbes): Promise<{ results: CheckResult[]; native: Set<string> }> {
  const results: CheckResult[] = [];
  const native = new Set<string>();
  for (const host of input.config.docker.hosts) {
    const probe = await probes.pingDocker(host);
    if (probe.ok) {
      native.add(probe.platform);
      results.push({ name: `docker (${host.name})`, status: 'ok', detail: `Docker ${probe.version}, ${probe.platform}, at ${host.url}` });
    } else {
      results.push({
        name: `docker (${host.name})`,
        status: 'fail',
        detail: `cannot reach the Docker engine at ${host.url}: ${probe.error}`,
        fix: host.url.startsWith('unix://')
          ? 'start the Docker engine: sudo systemctl start docker   (without systemd: sudo dockerd &)'
          : `check that ${host.url} is reachable and its engine is running (docker -H ${host.url} version)`,
      });
    }
  }
  return { results, native };
}

async function binfmtChecks(input: DoctorInput, native: Set<string>, probes: DoctorProbes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const checked = new Map<string, BinfmtProbe>();
  for (const target of input.targets) {
    if (native.has(target.platform)) continue;
    let probe = checked.get(target.platform);
    if (probe === undefined) {
      probe = await probes.binfmt(target.platform);
      checked.set(target.platform, probe);
    }
    const name = `binfmt ${target.id}`;
    if (probe.state === 'enabled') {
      results.push({ name, status: 'ok', detail: `${probe.handler} enabled: ${target.platform} runs under emulation` });
      continue;
    }
    const what = {
      disabled: `${probe.handler} is registered but disabled`,
      missing: `${probe.handler} is not registered`,
      unmounted: 'binfmt_misc is not mounted',
    }[probe.state];
    results.push({
      name,
      status: 'fail',
      detail: `${what}: ${target.platform} containers cannot run on this ${[...native].join(', ') || 'host'}`,
      ...(probe.fix === undefined ? {} : { fix: probe.fix }),
    });
  }
  return results;
}

async function redisCheck(input: DoctorInput, probes: DoctorProbes): Promise<CheckResult> {
  const url = input.config.redis.url;
  if (url !== undefined) {
    const probe = await probes.pingRedis(url);
    return probe.ok
      ? { name: 'redis', status: 'ok', detail: `reachable at ${redactUrl(url)}` }
      : {
          name: 'redis',
          status: 'fail',
          detail: `cannot reach Redis at ${redactUrl(url)}: ${probe.error}`,
          fix: 'start Redis (sudo systemctl start redis-server), fix REDIS_URL, or unset it to use an embedded redis-server',
        };
  }
  const binary = input.config.redis.serverBinary;
  const found = await probes.which(binary);
  return found === undefined
    ? {
        name: 'redis',
        status: 'fail',
        detail: `no REDIS_URL and no '${binary}' on PATH for the embedded mode`,
        fix: 'sudo apt-get install redis-server   (or set REDIS_URL to an existing Redis)',
      }
    : { name: 'redis', status: 'ok', detail: `embedded mode: ${found}` };
}

/** Hides a password in a Redis URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

async function imageChecks(input: DoctorInput, probes: DoctorProbes): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const target of input.targets) {
    for (const python of input.pythonFor(target)) {
      const probe = await probes.image(target, python);
      const name = `image ${target.id} py${python}`;
      results.push(
        probe.present
          ? { name, status: 'ok', detail: `${probe.image} (${probe.source})` }
          : {
              name,
              status: 'fail',
              detail: `${probe.image} (${probe.source}) is not present`,
              fix: probe.fix ?? `farm images bootstrap --targets ${target.id} --python ${python}`,
            },
      );
    }
  }
  return results;
}

/**
 * The cross toolchain, when ARM targets are built on an x86_64 engine that
 * may use it: without it they still build, fully under qemu (a warning).
 */
async function toolchainCheck(input: DoctorInput, native: Set<string>, probes: DoctorProbes): Promise<CheckResult[]> {
  const arm = input.targets.filter((t) => !native.has(t.platform) && TOOLCHAIN_ARCHES.includes(t.arch));
  const mayUse = input.config.docker.hosts.some((h) => h.crossCompile !== false);
  if (!native.has('linux/amd64') || arm.length === 0 || !mayUse) return [];
  const probe = await probes.toolchain();
  const name = 'cross toolchain';
  if (probe.present) return [{ name, status: 'ok', detail: `${probe.image}: ${arm.map((t) => t.id).join(', ')} compile natively (hybrid), with ccache` }];
  return [
    {
      name,
      status: 'warn',
      detail: `${probe.image} is not present: ${arm.map((t) => t.id).join(', ')} build fully under qemu (several times slower), and no build gets ccache`,
      fix: `farm images bootstrap --targets ${arm[0]!.id}`,
    },
  ];
}

async function diskCheck(input: DoctorInput, probes: DoctorProbes): Promise<CheckResult> {
  const min = input.minFreeBytes ?? 2 * GiB;
  const { path, freeBytes } = await probes.freeSpace(input.config.root);
  const detail = `${formatBytes(freeBytes)} free in ${path} (repository root ${input.config.root})`;
  if (freeBytes < min) {
    return { name: 'disk', status: 'fail', detail, fix: `free space on ${path} (docker system df; docker image prune) or set 'root' in farm.config.yaml to a larger disk` };
  }
  if (freeBytes < 4 * min) {
    return { name: 'disk', status: 'warn', detail: `${detail}; builds and images need several GiB`, fix: `free space on ${path} or set 'root' in farm.config.yaml to a larger disk` };
  }
  return { name: 'disk', status: 'ok', detail };
}

/** Runs every check, in the order a user would fix them. */
export async function runDoctor(input: DoctorInput, probes: DoctorProbes): Promise<CheckResult[]> {
  const docker = await dockerChecks(input, probes);
  const dockerUp = docker.results.some((r) => r.status === 'ok');
  if (!dockerUp) {
    // Without an engine, foreign is judged against the machine doctor runs on.
    docker.native.add(input.hostPlatform);
  }
  return [
    ...docker.results,
    ...(await binfmtChecks(input, docker.native, probes)),
    await redisCheck(input, probes),
    ...(dockerUp ? await imageChecks(input, probes) : []),
    ...(dockerUp ? await toolchainCheck(input, docker.native, probes) : []),
    await diskCheck(input, probes),
  ];
}

/** The Docker platform for a Node `process.arch` value. */
export function platformOfNodeArch(arch: string): string {
  return arch === 'arm64' ? 'linux/arm64' : arch === 'arm' ? 'linux/arm/v7' : 'linux/amd64';
}
