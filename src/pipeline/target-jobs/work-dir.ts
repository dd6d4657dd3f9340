/**
 * Per-attempt scratch directories on the worker's disk: `in/` (read-only in
 * the container) and `out/` (written by the container's build user). One per
 * job attempt, so a rerun after a crash never sees a half-written output of
 * the attempt before it; removed when the attempt ends.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** The build user of farm's images (see the image contract). */
export const BUILD_UID = 1000;
export const BUILD_GID = 1000;

export interface WorkDir {
  root: string;
  input: string;
  output: string;
  /** Removes everything. Idempotent; never throws. */
  remove(): Promise<void>;
}

/** Creates `<stateDir>/work/<label>-<random>/{in,out}` with `out` owned by the build user. */
export async function createWorkDir(stateDir: string, label: string, outputSubdirs: readonly string[] = []): Promise<WorkDir> {
  const root = path.join(stateDir, 'work', `${label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-${randomBytes(4).toString('hex')}`);
  const input = path.join(root, 'in');
  const output = path.join(root, 'out');
  await mkdir(input, { recursive: true });
  for (const dir of [output, ...outputSubdirs.map((d) => path.join(output, d))]) {
    await mkdir(dir, { recursive: true });
    try {
      await chown(dir, BUILD_UID, BUILD_GID);
    } catch {
      // Not root: let anyone write instead (the directory is private to this attempt).
      await chmod(dir, 0o777);
    }
  }
  return {
    root,
    input,
    output,
    remove: () => rm(root, { recursive: true, force: true }).catch(() => {}),
  };
}
