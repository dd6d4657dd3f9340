import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { ToolchainStep } from './bootstrap-plan.js';
import { FAMILY_SCRIPT } from './builders-dir.js';
import type { InspectedImage } from './docker-port.js';
import { loadRootfsDir, removeWorkDir, type FamilyContext } from './glibc-bootstrap.js';
import { IMAGE_LABELS } from './image-names.js';
import { runScript } from './run-script.js';

/** Label naming the Debian suite a toolchain image's compilers come from. */
export const TOOLCHAIN_LABEL = 'farm.toolchain';

/** The argv of `toolchain/make-rootfs.sh`. Pure. */
export function toolchainScriptArgs(step: ToolchainStep, dir: string): string[] {
  const p = step.params;
  return [dir, p['suite'] ?? '', p['mirror'] ?? '', p['gcc'] ?? ''];
}

/** Labels of the toolchain image. Pure. */
export function toolchainLabels(step: ToolchainStep): Record<string, string> {
  return {
    [IMAGE_LABELS.source]: 'bootstrap',
    [IMAGE_LABELS.recipeHash]: step.recipeHash,
    [TOOLCHAIN_LABEL]: step.params['suite'] ?? '',
    'farm.gcc': step.params['gcc'] ?? '',
  };
}

/**
 * Builds the native cross toolchain image: debootstrap amd64 with Debian's
 * cross compilers, relocated under /farm/toolchain by the script, loaded as
 * an amd64 image whose only content is that tree. The directory is always
 * removed.
 */
export async function bootstrapToolchain(step: ToolchainStep, ctx: FamilyContext): Promise<InspectedImage> {
  const dir = await mkdtemp(path.join(ctx.workDir, 'farm-bootstrap-toolchain-'));
  try {
    await runScript(path.join(ctx.buildersDir, FAMILY_SCRIPT.toolchain), toolchainScriptArgs(step, dir), ctx.log, 'debootstrap');
    return await loadRootfsDir(ctx, dir, path.join(dir, 'rootfs'), {
      name: step.image,
      platform: 'linux/amd64',
      labels: toolchainLabels(step),
      env: { PATH: '/farm/toolchain/usr/bin', LANG: 'C.UTF-8' },
      cmd: ['/farm/toolchain/usr/bin/ccache', '--version'],
    });
  } finally {
    await removeWorkDir(ctx, dir);
  }
}
