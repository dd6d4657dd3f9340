/**
 * Derived images against the real engine and Debian's mirror: a builder
 * image plus a recipe's system packages, built once by a root container
 * (the only privileged phase of a build), committed with the base image's
 * own user and command, found again instead of rebuilt, and never kept when
 * a step fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildFailedError } from '../../../src/errors.js';
import { ensureDerivedImage } from '../../../src/images/build-derived-image.js';
import { derivedImageReference, type DerivedImageRequest } from '../../../src/images/derived-image.js';
import { followContainerEvents } from '../../support/docker-events.js';

const run = promisify(execFile);
const docker = new Docker();
const runId = Math.random().toString(36).slice(2, 10);
const workerId = `farm-test-derived-${runId}`;
let dir: string;
const created: string[] = [];

async function baseOf(target: string): Promise<DerivedImageRequest['base']> {
  const reference = `farm/builder-${target}:bootstrap-py3.11`;
  const info = await docker.getImage(reference).inspect();
  return { reference, id: info.Id };
}

const options = (label: string) => ({
  logPath: path.join(dir, `${label}.log`),
  timeoutMs: 30 * 60_000,
  network: 'host' as const,
  workerId,
  jobId: `derived-${label}`,
  package: 'farmfix-test==1.0',
});

/** A per-run variable in the steps' environment gives this run's images keys nobody else uses. */
const env = { DEBIAN_FRONTEND: 'noninteractive', FARM_TEST_RUN: runId };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'farm-derived-'));
});

afterAll(async () => {
  for (const reference of created) await docker.getImage(reference).remove({ force: true }).catch(() => {});
  const left = await docker.listContainers({ all: true, filters: { label: [`farm.worker=${workerId}`] } });
  for (const c of left) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('a derived image with system packages (glibc-x86_64)', () => {
  let request: DerivedImageRequest;
  let first: Awaited<ReturnType<typeof ensureDerivedImage>>;
  let creates = 0;

  beforeAll(async () => {
    request = {
      base: await baseOf('glibc-x86_64'),
      targetId: 'glibc-x86_64',
      platform: 'linux/amd64',
      steps: [
        { argv: ['apt-get', 'update'], env },
        { argv: ['apt-get', 'install', '-y', '--no-install-recommends', 'patchelf'], env },
      ],
    };
    const events = await followContainerEvents(docker, ['create'], (e) => {
      if (e.Actor?.Attributes?.['farm.worker'] === workerId) creates += 1;
    });
    try {
      // Two builds asking at once share one preparation.
      const [a, b] = await Promise.all([ensureDerivedImage(docker, request, options('a')), ensureDerivedImage(docker, request, options('b'))]);
      first = a;
      created.push(a.reference);
      expect(b.id).toBe(a.id);
    } finally {
      events.stop();
    }
  });

  it('is built once, by one root container, and tagged by its key', () => {
    expect(first.built).toBe(true);
    expect(first.reference).toBe(derivedImageReference('glibc-x86_64', first.key));
    expect(creates).toBe(1);
  });

  it('is found, not rebuilt, the next time', async () => {
    const again = await ensureDerivedImage(docker, request, options('again'));
    expect(again).toEqual({ ...first, built: false });
  });

  it('has the packages, for the unprivileged build user, and keeps the base image’s user and command', async () => {
    const { stdout } = await run('docker', ['run', '--rm', '--user', '1000:1000', '--cap-drop', 'ALL', '--network', 'none', first.id, 'patchelf', '--version']);
    expect(stdout).toMatch(/^patchelf \d/);
    await expect(run('docker', ['run', '--rm', request.base.id, 'patchelf', '--version'])).rejects.toThrow();
    const info = await docker.getImage(first.id).inspect();
    const base = await docker.getImage(request.base.id).inspect();
    expect(info.Config.User).toBe(base.Config.User);
    expect(info.Config.Cmd).toEqual(base.Config.Cmd);
    expect(info.Config.Env).toEqual(base.Config.Env);
    expect(info.Config.Labels).toMatchObject({ 'farm.source': 'derived', 'farm.derived.key': first.key, 'farm.target': 'glibc-x86_64' });
  });

  it('logs the privileged steps into the build log and leaves no container behind', async () => {
    const log = await readFile(options('a').logPath, 'utf8');
    expect(log).toMatch(/# farm: \(root\) \$ apt-get install -y --no-install-recommends patchelf/);
    expect(await docker.listContainers({ all: true, filters: { label: [`farm.worker=${workerId}`] } })).toEqual([]);
  });
});

describe('a failing privileged step', () => {
  it('fails the build deterministically, with the log tail, and keeps no image', async () => {
    const request: DerivedImageRequest = {
      base: await baseOf('glibc-x86_64'),
      targetId: 'glibc-x86_64',
      platform: 'linux/amd64',
      steps: [{ argv: ['sh', '-c', 'echo no such package: farm-missing >&2; exit 100'], env }],
    };
    const error = await ensureDerivedImage(docker, request, options('fail')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildFailedError);
    expect((error as BuildFailedError).message).toMatch(/exit/);
    expect((error as BuildFailedError).context.logTail).toMatch(/no such package: farm-missing/);
    const images = await docker.listImages({ filters: { label: [`farm.derived.key`] } });
    expect(images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith('farm/derived-glibc-x86_64') && t.includes(runId))).toEqual([]);
    expect(await docker.listContainers({ all: true, filters: { label: [`farm.worker=${workerId}`] } })).toEqual([]);
  });
});

describe('an emulated target (glibc-armv7)', () => {
  it('keeps the target’s architecture through the commit', async () => {
    const request: DerivedImageRequest = {
      base: await baseOf('glibc-armv7'),
      targetId: 'glibc-armv7',
      platform: 'linux/arm/v7',
      steps: [{ argv: ['touch', '/etc/farm-derived-marker'], env }],
    };
    const image = await ensureDerivedImage(docker, request, options('armv7'));
    created.push(image.reference);
    const info = await docker.getImage(image.id).inspect();
    expect([info.Architecture, (info as { Variant?: string }).Variant]).toEqual(['arm', 'v7']);
    const { stdout } = await run('docker', ['run', '--rm', '--platform', 'linux/arm/v7', '--user', '1000:1000', image.id, 'ls', '/etc/farm-derived-marker']);
    expect(stdout.trim()).toBe('/etc/farm-derived-marker');
  });
});
