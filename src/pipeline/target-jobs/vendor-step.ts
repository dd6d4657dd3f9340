/**
 * Vendoring, where the builder image has no auditwheel: `build.py` listed the
 * shared libraries the wheel needs beyond the target's base system and copied
 * them out of the build image; `repair.py` puts them into the wheel in a
 * container of the tool image (unprivileged, network off), with patchelf.
 * See recipes/README.md, "Vendored libraries", for the rule and mechanism.
 */
import { appendFile, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { VendoredLibrary } from '../../repository/inventory-schema.js';
import { copyContainerOutput, readContainerOutput, UnsafeOutputError } from '../../files/container-output.js';
import { validate } from '../../validation/validate.js';
import { interpreterPath } from '../../images/image-names.js';
import { toolImage } from './build-images.js';
import { containerDriverPath, type RepairDriverConfig } from './drivers/container-drivers.js';
import { runStep, type StepEnvironment, type StepOutcome } from './step-runner.js';
import { createWorkDir } from './work-dir.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** What `repair.py` writes (`RepairDriverResult`). */
const RepairResult = z.strictObject({
  wheel: z.string().min(1),
  vendored: z.array(z.strictObject({ soname: z.string().min(1), path: z.string().min(1), sha256: Sha256, package: z.string().min(1).optional() })),
});

/** What one vendoring run produced. */
export interface Vendored {
  /** Host path of the repaired wheel. */
  readonly wheelPath: string;
  readonly wheel: string;
  readonly libraries: VendoredLibrary[];
  readonly outcome: StepOutcome;
}

export interface VendorRequest {
  readonly targetId: string;
  readonly python: string;
  readonly jobId: string;
  readonly requestId: string;
  readonly logPath: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly package: string;
  /** The build's output directory: `raw/<wheel>`, `vendor.json`, `libs/`. */
  readonly buildOutput: string;
  /** The wheel in `raw/`. */
  readonly wheel: string;
}

/**
 * Runs `repair.py` on the build's output; returns the repaired wheel, or the
 * exit status when it failed. The repaired wheel is left in a work directory
 * that `cleanup` removes.
 */
export async function vendorLibraries(env: StepEnvironment, request: VendorRequest): Promise<(Vendored & { cleanup(): Promise<void> }) | { exitCode: number; outcome: StepOutcome }> {
  const work = await createWorkDir(env.stateDir, `${request.jobId}-vendor`, ['final']);
  let keep = false;
  try {
    const farmDir = path.join(work.input, 'farm');
    await mkdir(farmDir, { recursive: true });
    await copyFile(containerDriverPath('repair.py'), path.join(farmDir, 'repair.py'));
    const outcome = await runStep(env, {
      targetId: request.targetId,
      python: request.python,
      jobId: request.jobId,
      requestId: request.requestId,
      logPath: request.logPath,
      timeoutMs: request.timeoutMs,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
      package: request.package,
      kind: 'repair',
      step: async (_image, host) => {
        const tool = await toolImage(host, env.images, request.python, {
          logPath: request.logPath,
          timeoutMs: request.timeoutMs,
          workerId: env.workerId,
          jobId: request.jobId,
          requestId: request.requestId,
          package: request.package,
          ...(request.signal !== undefined ? { signal: request.signal } : {}),
        });
        const config: RepairDriverConfig = {
          python: interpreterPath(request.python),
          wheel: `/build/raw/${request.wheel}`,
          vendorJson: '/build/vendor.json',
          libsDir: '/build/libs',
        };
        await writeFile(path.join(farmDir, 'repair.json'), JSON.stringify(config), { mode: 0o644 });
        return {
          image: tool,
          platform: tool.target.platform,
          network: 'none',
          cache: false,
          argv: [interpreterPath(request.python), '/in/farm/repair.py', '/in/farm/repair.json'],
          output: { hostPath: work.output, containerPath: '/out' },
          inputs: [
            { hostPath: work.input, containerPath: '/in' },
            { hostPath: request.buildOutput, containerPath: '/build' },
          ],
        };
      },
    });
    if (outcome.exitCode !== 0) return { exitCode: outcome.exitCode, outcome };
    // Outputs are read without following symlinks; the wheel is copied out once.
    let result: z.infer<typeof RepairResult>;
    const hostDir = path.join(work.root, 'host');
    try {
      result = validate(RepairResult, JSON.parse(await readContainerOutput(work.output, 'repair.json')), 'repair.json of the vendoring driver');
      await mkdir(hostDir);
      await copyContainerOutput(work.output, `final/${path.basename(result.wheel)}`, path.join(hostDir, path.basename(result.wheel)));
    } catch (error) {
      if (!(error instanceof UnsafeOutputError || error instanceof SyntaxError)) throw error;
      await appendFile(request.logPath, `# farm: ${error.message}\n`);
      return { exitCode: 3, outcome };
    }
    keep = true;
    return {
      wheelPath: path.join(hostDir, path.basename(result.wheel)),
      wheel: path.basename(result.wheel),
      libraries: result.vendored,
      outcome,
      cleanup: () => work.remove(),
    };
  } finally {
    if (!keep) await work.remove();
  }
}
