import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBinfmtStatus } from '../../../src/docker/binfmt.js';
import { isHandlerUsable, type BinfmtStatus } from '../../../src/docker/binfmt-status.js';
import { buildContainerSpec } from '../../../src/docker/container-spec.js';
import { connectDockerHosts, dockerClientFor, placeTarget } from '../../../src/docker/docker-hosts.js';
import { runContainer } from '../../../src/docker/run-container.js';
import { DockerHostConfig } from '../../../src/config/schema.js';
import { HostError } from '../../../src/errors.js';
import { TARGETS } from '../../../src/targets/catalog.js';
import { ensureBusyboxTestImage } from '../../support/test-images.js';
import { docker, removeContainersOf, removeDir, testWorkerId, worldWritableTempDir } from './support/docker-test-kit.js';

const local = (extra: Partial<DockerHostConfig> = {}): DockerHostConfig =>
  DockerHostConfig.parse({ name: 'local', url: 'unix:///var/run/docker.sock', network: 'none', ...extra });

const workerId = testWorkerId('hosts');
let image: string;
let dir: string;

beforeAll(async () => {
  image = await ensureBusyboxTestImage(docker);
  dir = await worldWritableTempDir('hosts');
});

afterAll(async () => {
  await removeContainersOf(workerId);
  await removeDir(dir);
});

describe('connectDockerHosts', () => {
  it('learns the local engine native platform and the qemu platforms the kernel has enabled', async () => {
    const [host] = await connectDockerHosts([local()]);
    const binfmt = await readBinfmtStatus();
    expect(host?.native).toEqual(['linux/amd64']);
    const expected = [
      ...(isHandlerUsable(binfmt, 'qemu-aarch64') ? ['linux/arm64'] : []),
      ...(isHandlerUsable(binfmt, 'qemu-arm') ? ['linux/arm/v7'] : []),
    ];
    expect(host?.emulated).toEqual(expected);
    expect(host?.network).toBe('none');
    expect(await host?.client.ping()).toBeTruthy();
  });

  it('places an ARM target on the emulating host when binfmt is enabled, and says how to enable it when it is not', async () => {
    const enabled: BinfmtStatus = {
      mounted: true,
      globallyEnabled: true,
      handlers: { 'qemu-arm': 'enabled', 'qemu-aarch64': 'enabled', 'qemu-x86_64': 'missing' },
    };
    const [withQemu] = await connectDockerHosts([local()], { readBinfmt: async () => enabled });
    expect(placeTarget([withQemu!], TARGETS.get('glibc-armv7')!).name).toBe('local');

    const disabled: BinfmtStatus = { ...enabled, handlers: { ...enabled.handlers, 'qemu-arm': 'disabled' } };
    const hosts = await connectDockerHosts([local()], { readBinfmt: async () => disabled });
    let error: unknown;
    try {
      placeTarget(hosts, TARGETS.get('glibc-armv7')!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toContain('qemu-arm) is not enabled');
    expect((error as HostError).hint).toContain('sudo update-binfmts --enable qemu-arm');
  });

  it('trusts an explicit platform list', async () => {
    const [host] = await connectDockerHosts([local({ platforms: ['linux/amd64'] })]);
    expect(host?.native).toEqual(['linux/amd64']);
    expect(host?.emulated).toEqual([]);
  });

  it('reports an unreachable engine as a HostError', async () => {
    const promise = connectDockerHosts([local({ name: 'gone', url: 'tcp://127.0.0.1:1' })]);
    await expect(promise).rejects.toBeInstanceOf(HostError);
    await expect(promise).rejects.toThrow(/gone .*not reachable/);
  });

  it('connects to the configured socket even when DOCKER_HOST points elsewhere', async () => {
    const saved = process.env['DOCKER_HOST'];
    // docker-modem reads this behind dockerode's back; the config must win.
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
    try {
      const client = await dockerClientFor(local());
      expect(await client.ping()).toBeTruthy();
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });

  it('runs no more containers at once than the host concurrency', async () => {
    const [host] = await connectDockerHosts([local({ concurrency: 1 })]);
    let running = 0;
    let maxRunning = 0;
    const step = (i: number) =>
      host!.run(async (h) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        try {
          const spec = buildContainerSpec(
            { image, platform: 'linux/amd64', argv: ['sleep', '0.5'], cache: false },
            { jobId: `limit-${i}`, workerId, targetId: 'glibc-x86_64', network: h.network },
          );
          return await runContainer(h.client, spec, { logPath: path.join(dir, `limit-${i}.log`), timeoutMs: 60_000 });
        } finally {
          running -= 1;
        }
      });
    const pending = [step(1), step(2), step(3)];
    expect(host!.active + host!.pending).toBe(3);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(maxRunning).toBe(1);
    expect(host!.active + host!.pending).toBe(0);
  });
});
