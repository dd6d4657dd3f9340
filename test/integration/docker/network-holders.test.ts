import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContainerSpec } from '../../../src/docker/container-spec.js';
import { HOLDER_STEP, NetworkHolders } from '../../../src/docker/network-holders.js';
import { runContainer } from '../../../src/docker/run-container.js';
import { ensureBusyboxTestImage } from '../../support/test-images.js';
import { containersOf, docker, removeContainersOf, removeDir, testWorkerId, worldWritableTempDir } from './support/docker-test-kit.js';

const workerId = testWorkerId('holders');
let image: string;
let dir: string;
let holders: NetworkHolders;

beforeAll(async () => {
  image = await ensureBusyboxTestImage(docker);
  dir = await worldWritableTempDir('holders');
  holders = new NetworkHolders(workerId);
});

afterAll(async () => {
  await holders.close();
  await removeContainersOf(workerId);
  await removeDir(dir);
});

let job = 0;
/** Runs `argv` in a network-off container that joins holder `holderId`; returns its output. */
async function runJoined(holderId: string, argv: string[]): Promise<{ exitCode: number; output: string; networkMode: string | undefined }> {
  job += 1;
  const spec = buildContainerSpec(
    { image, platform: 'linux/amd64', argv, cache: false },
    { jobId: `holders-${job}`, workerId, targetId: 'glibc-x86_64', network: 'none', networkOf: holderId },
  );
  let output = '';
  const result = await runContainer(docker, spec, {
    logPath: `${dir}/job-${job}.log`,
    timeoutMs: 60_000,
    onOutput: (_stream, chunk) => (output += chunk.toString()),
  });
  return { exitCode: result.exitCode, output, networkMode: spec.HostConfig?.NetworkMode };
}

const holderIds = async () => (await containersOf(workerId)).filter((c) => c.Labels['farm.step'] === HOLDER_STEP).map((c) => c.Id);

describe('network holders', () => {
  it('a joined container has the holder\'s namespace: a loopback and nothing else', async () => {
    const { exitCode, output, networkMode } = await holders.withIsolatedNetwork(docker, { reference: image }, (id) =>
      runJoined(id, ['sh', '-c', 'ls /sys/class/net; busybox wget -T 3 -q -O- http://172.17.0.1/ 2>&1; echo exit=$?']),
    );
    expect(exitCode).toBe(0);
    expect(networkMode).toMatch(/^container:[0-9a-f]{64}$/);
    expect(output.split('\n')[0]).toBe('lo');
    expect(output).not.toContain('exit=0');
    const [holder] = await holderIds();
    const info = await docker.getContainer(holder!).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.State.Running).toBe(true);
  });

  it('one build at a time per holder: sequential leases reuse it, concurrent ones get their own', async () => {
    const seen: string[] = [];
    await holders.withIsolatedNetwork(docker, { reference: image }, async (id) => void seen.push(id));
    await holders.withIsolatedNetwork(docker, { reference: image }, async (id) => void seen.push(id));
    expect(new Set(seen).size).toBe(1);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const concurrent = [1, 2, 3].map(() =>
      holders.withIsolatedNetwork(docker, { reference: image }, async (id) => {
        await gate;
        return id;
      }),
    );
    setTimeout(release, 200);
    const ids = await Promise.all(concurrent);
    expect(new Set(ids).size).toBe(3);
    expect((await holderIds()).length).toBe(3);
  });

  it('nothing a container leaves listening survives into the next one', async () => {
    const id = (await holderIds())[0]!;
    // A background listener in the first container dies with it (its PID namespace ends).
    const first = await runJoined(id, ['sh', '-c', '(busybox nc -l -p 8765 >/dev/null 2>&1 &); sleep 0.3; busybox netstat -ltn | busybox grep -c 8765']);
    expect(first.output.trim()).toBe('1');
    const second = await runJoined(id, ['sh', '-c', 'busybox netstat -ltn | busybox grep -c 8765 || true']);
    expect(second.output.trim()).toBe('0');
  });

  it('holders stopped from outside (an engine restart, docker rm) are dropped, and the lease gets a working one', async () => {
    const before = await holderIds();
    expect(before.length).toBeGreaterThan(1);
    for (const id of before) await docker.getContainer(id).kill().catch(() => {});
    const again = await holders.withIsolatedNetwork(docker, { reference: image }, (id) => runJoined(id, ['true']));
    expect(again.exitCode).toBe(0);
    const after = await holderIds();
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]);
  });

  it('close removes every holder', async () => {
    expect((await holderIds()).length).toBeGreaterThan(0);
    await holders.close();
    expect(await holderIds()).toEqual([]);
  });
});
