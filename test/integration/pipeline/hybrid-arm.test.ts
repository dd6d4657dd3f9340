/**
 * Hybrid ARM builds (issue 13), on real Redis, Docker, qemu and pip: a C
 * and a C++ extension built for glibc-armv7 and glibc-aarch64 by two farms
 * on the same upstream: one with the cross toolchain (the default), one
 * with `docker.hosts[].crossCompile: false`. The host's process table shows
 * which gcc ran: the native x86_64 cross compiler in the first, the image's
 * gcc under qemu in the second. Both farms' wheels have the target's ELF
 * machine and tags, passed farm's smoke test under qemu, and install and
 * import with pip in a fresh emulated container.
 *
 * Needs the bootstrap images of both targets and the toolchain image:
 * `farm images bootstrap --targets glibc-armv7,glibc-aarch64`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateDir } from '../../../src/config/load-config.js';
import type { FarmConfig } from '../../../src/config/schema.js';
import { plannedCompiler } from '../../../src/docker/compiler-mode.js';
import { toolchainImageName } from '../../../src/images/toolchain-image.js';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildLogPath } from '../../../src/pipeline/contract/log-paths.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { readProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { parseWheelFilename } from '../../../src/wheels/wheel-filename.js';
import { watchCompilerProcesses, type CompilerProcess } from '../../support/compiler-processes.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { EF_ARM_ABI_FLOAT_HARD, EM, parseElf } from '../docker/support/elf.js';
import { readZip } from '../docker/support/zip.js';
import {
  docker,
  dropPrefix,
  farmConfig,
  pipInstallInContainer,
  randomId,
  recordContainerStarts,
  removeVolumes,
  wheelsIn,
  type ContainerStart,
} from './helpers.js';
import { isBuildBackendWheel, requestedRows } from '../../support/request-rows.js';

const TARGETS = ['glibc-armv7', 'glibc-aarch64'] as const;
const MACHINE: Record<(typeof TARGETS)[number], { machine: number; tag: string }> = {
  'glibc-armv7': { machine: EM.ARM, tag: 'linux_armv7l' },
  'glibc-aarch64': { machine: EM.AARCH64, tag: 'linux_aarch64' },
};
const PACKAGES = ['farmfix-cext', 'farmfix-cxx'];
const MODULES = ['farmfix_cext', 'farmfix_cxx'];
const id = randomId();

interface Farm {
  label: string;
  config: FarmConfig;
  prefix: string;
  volumePrefix: string;
  status: RequestStatus;
  /** Compiler processes that ran in this farm's build containers. */
  compilers: CompilerProcess[];
  starts: ContainerStart[];
}

let dir: string;
let upstream: StaticServer;
const farms: Record<'hybrid' | 'emulated', Farm> = {} as Record<'hybrid' | 'emulated', Farm>;

async function runFarm(label: 'hybrid' | 'emulated', hostExtra: string): Promise<Farm> {
  const root = path.join(dir, label);
  const base = farmConfig(root, `${upstream.url}/simple/`);
  const config: FarmConfig = {
    ...base,
    docker: { hosts: base.docker.hosts.map((h) => ({ ...h, ...(hostExtra === 'off' ? { crossCompile: false } : {}) })) },
  };
  const prefix = `farm-it-hybrid-${id}-${label}`;
  const volumePrefix = `farm-hybrid-it-${id}-${label}-`;
  const recorder = await recordContainerStarts();
  let requestId: string | undefined;
  // Only this farm's build containers are sampled (cheap on a busy machine).
  const watcher = watchCompilerProcesses((container) => recorder.starts.some((s) => s.id === container && s.request === requestId && s.job.startsWith('build-')));
  const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  try {
    await mkdir(root, { recursive: true });
    const requirements = path.join(root, 'requirements.txt');
    await writeFile(requirements, `${PACKAGES.join('\n')}\n`);
    requestId = await engine.submit({ requirements: [requirements], targets: [...TARGETS] });
    for await (const _event of engine.watch(requestId)) {
      // drain: the request is done when the stream ends
    }
    const status = await engine.status(requestId);
    const starts = recorder.starts.filter((s) => s.request === requestId);
    const ours = new Set(starts.map((s) => s.id));
    const compilers = (await watcher.stop()).filter((p) => p.container !== undefined && ours.has(p.container));
    return { label, config, prefix, volumePrefix, status, compilers, starts };
  } finally {
    recorder.stop();
    await watcher.stop();
    await engine.close();
  }
}

beforeAll(async () => {
  for (const image of [...TARGETS.map((t) => `farm/builder-${t}:bootstrap-py3.11`), toolchainImageName('bookworm')]) {
    const present = await docker
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (!present) throw new Error(`${image} is missing: run farm images bootstrap --targets ${TARGETS.join(',')}`);
  }
  dir = await mkdtemp('/tmp/farm-hybrid-it-');
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: PACKAGES });
  upstream = await serveStatic(path.join(dir, 'upstream'));
  // One after the other: two farms' emulated builds at once would only share the same two cores.
  farms.hybrid = await runFarm('hybrid', '');
  farms.emulated = await runFarm('emulated', 'off');
}, 90 * 60_000);

afterAll(async () => {
  for (const farm of Object.values(farms)) {
    await dropPrefix(farm.prefix);
    await removeVolumes(farm.volumePrefix);
  }
  await upstream?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.each(['hybrid', 'emulated'] as const)('%s ARM builds', (label) => {
  it('build every package for every target', () => {
    const farm = farms[label];
    expect(farm.status.state).toBe('done');
    const rows = requestedRows(farm.status).map((r) => `${r.name} ${r.target} ${r.state}`).sort();
    expect(rows).toEqual(TARGETS.flatMap((t) => PACKAGES.map((p) => `${p} ${t} built`)).sort());
  });

  it(label === 'hybrid' ? 'ran the native cross compiler, never gcc under qemu' : 'ran the image gcc under qemu', () => {
    const farm = farms[label];
    const cxx = farm.compilers.filter((p) => p.program === 'cc1plus');
    // The C++ compile is long enough to be seen every time; C ones are counted when caught.
    expect(cxx.length).toBeGreaterThan(0);
    for (const p of farm.compilers) {
      if (label === 'hybrid') {
        expect(p.emulated, p.argv.slice(0, 2).join(' ')).toBe(false);
        expect(p.argv[0]).toMatch(/^\/farm\/toolchain\/usr\/bin\/\.\.\/lib\/gcc-cross\/(arm-linux-gnueabihf|aarch64-linux-gnu)\/12\/cc1(plus)?$/);
      } else {
        expect(p.emulated, p.argv.slice(0, 2).join(' ')).toBe(true);
      }
    }
  });

  it('says in the build log which compiler ran, and why', async () => {
    const farm = farms[label];
    for (const row of requestedRows(farm.status)) {
      const log = await readFile(buildLogPath(stateDir(farm.config), farm.status.id, row.name, row.target, row.python), 'utf8');
      if (label === 'hybrid') expect(log).toMatch(/# farm: compiler: hybrid \(native (arm-linux-gnueabihf|aarch64-linux-gnu)-gcc/);
      else expect(log).toMatch(/# farm: compiler: emulated \(docker\.hosts\[\]\.crossCompile is false\)/);
      expect(log).toMatch(/# farm: smoke test: passed/);
    }
  });

  it('publishes wheels with the target ELF machine and tag', async () => {
    const farm = farms[label];
    const wheels = (await wheelsIn(farm.config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w));
    expect(wheels).toHaveLength(TARGETS.length * PACKAGES.length);
    for (const wheel of wheels) {
      const tag = parseWheelFilename(wheel).platformTags.join('.');
      const target = TARGETS.find((t) => MACHINE[t].tag === tag);
      expect(target, wheel).toBeDefined();
      const files = await readZip(path.join(farm.config.root, 'glibc', 'packages', wheel));
      const so = [...files.entries()].filter(([name]) => name.endsWith('.so'));
      expect(so, wheel).toHaveLength(1);
      const elf = parseElf(so[0]![1]);
      expect(elf.machine, wheel).toBe(MACHINE[target!].machine);
      expect(elf.bits).toBe(target === 'glibc-armv7' ? 32 : 64);
      if (target === 'glibc-armv7') expect(elf.flags & EF_ARM_ABI_FLOAT_HARD).toBe(EF_ARM_ABI_FLOAT_HARD);
      expect(elf.needed).toContain('libc.so.6');
      if (wheel.startsWith('farmfix_cxx')) expect(elf.needed).toContain('libstdc++.so.6');
    }
  });

  it('installs and imports with pip in a fresh emulated container', async () => {
    const farm = farms[label];
    const farmIndex = await serveStatic(farm.config.root);
    try {
      for (const target of TARGETS) {
        const output = await pipInstallInContainer(target, `${farmIndex.url}/glibc/simple/`, PACKAGES, MODULES, `farm-hybrid-it-${id}-${label}-pip-${target}`);
        for (const m of MODULES) expect(output).toContain(`imported ${m}`);
      }
    } finally {
      await farmIndex.close();
    }
  });
});

describe('hybrid and emulated wheels', () => {
  it('have the same names and tags', async () => {
    expect(await wheelsIn(farms.hybrid.config.root, 'glibc')).toEqual(await wheelsIn(farms.emulated.config.root, 'glibc'));
  });

  it('differ in build identity: the compiler is part of it, and each wheel records the one that built it', async () => {
    const jobs = (farm: Farm) => farm.status.rows.map((r) => r.jobId).sort();
    expect(jobs(farms.hybrid)).not.toEqual(jobs(farms.emulated));
    const toolchainId = (await docker.getImage(toolchainImageName('bookworm')).inspect()).Id;
    for (const label of ['hybrid', 'emulated'] as const) {
      const paths = repositoryPaths(farms[label].config.root, 'glibc');
      const built = PACKAGES.flatMap((p) => readProjectInventory(paths, p)?.files ?? []).map((f) => f.build?.image ?? '');
      expect(built).toHaveLength(TARGETS.length * PACKAGES.length);
      for (const image of built) {
        expect(image).toMatch(/^farm\/builder-glibc-(armv7|aarch64):bootstrap-py3\.11@sha256:[0-9a-f]{64}/);
        expect(plannedCompiler(image), image).toBe(label === 'hybrid' ? toolchainId : null);
      }
    }
  });
});
