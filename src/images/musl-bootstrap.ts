import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { ContainerCreateOptions } from 'dockerode';
import type { TargetStep } from './bootstrap-plan.js';
import { stepEnv, stepLabels } from './bootstrap-plan.js';
import { FAMILY_SCRIPT } from './builders-dir.js';
import type { InspectedImage } from './docker-port.js';
import { removeWorkDir, type FamilyContext } from './glibc-bootstrap.js';
import { loadRootfs } from './load-rootfs.js';
import { LineSplitter } from './line-splitter.js';

/** Where the builder container sees farm's scripts and its output directory. */
const SCRIPTS_MOUNT = '/farm/builders';
const OUT_MOUNT = '/out';

/**
 * The throwaway builder container of a musl image. Pure. Runs as root (it
 * apt-gets build tools) on the default bridge network, which reaches the
 * Debian mirror; the scripts are mounted read-only and nothing but the output
 * directory is writable from the host's side.
 */
export function muslBuilderSpec(step: TargetStep, buildersDir: string, outDir: string, suffix: string): ContainerCreateOptions {
  if (step.builder === undefined) throw new Error(`musl step ${step.image} has no builder image`);
  const p = step.params;
  return {
    name: `farm-bootstrap-${step.target.id}-${suffix}`,
    Image: step.builder,
    platform: step.target.platform,
    User: '0',
    WorkingDir: '/',
    Cmd: [
      'bash',
      `${SCRIPTS_MOUNT}/${path.basename(FAMILY_SCRIPT.musl)}`,
      p['mirror'] ?? '',
      p['suite'] ?? '',
      step.python,
      `${OUT_MOUNT}/rootfs.tar`,
    ],
    Env: ['DEBIAN_FRONTEND=noninteractive', 'LC_ALL=C.UTF-8'],
    Labels: { 'farm.bootstrap': step.target.id },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      Binds: [`${path.join(buildersDir, path.dirname(FAMILY_SCRIPT.musl))}:${SCRIPTS_MOUNT}:ro`, `${outDir}:${OUT_MOUNT}`],
      NetworkMode: 'bridge',
    },
  } as ContainerCreateOptions;
}

/**
 * Builds a musl bootstrap image: compiles musl's CPython in a throwaway
 * container of the glibc bootstrap image, then loads the rootfs tar it
 * wrote as an image. The container and the output directory are always removed.
 */
export async function bootstrapMusl(step: TargetStep, ctx: FamilyContext): Promise<InspectedImage> {
  const outDir = await mkdtemp(path.join(ctx.workDir, `farm-bootstrap-${step.target.id}-`));
  const container = await ctx.docker.createContainer(
    muslBuilderSpec(step, ctx.buildersDir, outDir, randomBytes(4).toString('hex')),
  );
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const lines = new LineSplitter((line) => ctx.log.line('musl', line));
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => lines.push(chunk));
    ctx.docker.modem.demuxStream(stream, sink, sink);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000))]);
    lines.end();
    if (StatusCode !== 0) throw ctx.log.failure(StatusCode, `musl builder container exited ${StatusCode}`);
    ctx.log.line('import', `docker load ${step.image} (${step.target.platform})`);
    return await loadRootfs(ctx.docker, path.join(outDir, 'rootfs.tar'), {
      name: step.image,
      platform: step.target.platform,
      labels: stepLabels(step),
      env: stepEnv(step),
      cmd: ['/bin/sh'],
    });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    await removeWorkDir(ctx, outDir);
  }
}
