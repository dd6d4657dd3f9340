import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { BootstrapLog } from './bootstrap-log.js';
import type { TargetStep } from './bootstrap-plan.js';
import { stepEnv, stepLabels } from './bootstrap-plan.js';
import { FAMILY_SCRIPT } from './builders-dir.js';
import type { ImagesDocker, InspectedImage } from './docker-port.js';
import type { ImageSpec } from './image-archive.js';
import { loadRootfs } from './load-rootfs.js';
import { runProgram, runScript } from './run-script.js';

/** What a family's build needs besides its step. */
export interface FamilyContext {
  readonly docker: ImagesDocker;
  readonly buildersDir: string;
  readonly workDir: string;
  readonly log: BootstrapLog;
}

/** Removes a bootstrap working directory; a failure there is logged, not thrown over the build's own result. */
export async function removeWorkDir(ctx: FamilyContext, dir: string): Promise<void> {
  try {
    await runScript(path.join(ctx.buildersDir, 'lib/remove-rootfs.sh'), [dir], ctx.log, 'cleanup');
  } catch (error) {
    ctx.log.line('cleanup', `could not remove ${dir}: ${(error as Error).message}`);
  }
}

/** The argv of `make-rootfs.sh`. Pure. */
export function glibcScriptArgs(step: TargetStep, rootfs: string): string[] {
  const p = step.params;
  return [rootfs, p['debianArch'] ?? '', p['suite'] ?? '', p['mirror'] ?? '', step.python];
}

/**
 * Builds a glibc bootstrap image: debootstrap into a fresh directory (under
 * qemu for foreign architectures), load it as an image of the target's
 * platform, and always remove the directory.
 */
export async function bootstrapGlibc(step: TargetStep, ctx: FamilyContext): Promise<InspectedImage> {
  const dir = await mkdtemp(path.join(ctx.workDir, `farm-bootstrap-${step.target.id}-`));
  const rootfs = path.join(dir, 'rootfs');
  try {
    await runScript(path.join(ctx.buildersDir, FAMILY_SCRIPT.glibc), glibcScriptArgs(step, rootfs), ctx.log, 'debootstrap');
    return await loadRootfsDir(ctx, dir, rootfs, {
      name: step.image,
      platform: step.target.platform,
      labels: stepLabels(step),
      env: stepEnv(step),
      cmd: ['/bin/bash'],
    });
  } finally {
    await removeWorkDir(ctx, dir);
  }
}

/** Tars a root filesystem directory (inside `dir`) and loads it as the image `spec` describes. */
export async function loadRootfsDir(ctx: FamilyContext, dir: string, rootfs: string, spec: ImageSpec): Promise<InspectedImage> {
  // The layer goes through a file: the image archive needs its size and digest up front.
  const layer = path.join(dir, 'layer.tar');
  ctx.log.line('import', `tar ${rootfs}`);
  await runProgram('tar', ['-C', rootfs, '--numeric-owner', '-cf', layer, '.'], ctx.log, 'import');
  ctx.log.line('import', `docker load ${spec.name} (${spec.platform})`);
  return loadRootfs(ctx.docker, layer, spec);
}
