import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import pLimit from 'p-limit';
import { getTarget } from '../targets/parse-targets.js';
import { DEFAULT_PYTHON_VERSIONS, type Target } from '../targets/catalog.js';
import { BootstrapLog } from './bootstrap-log.js';
import { planBootstrap, type BootstrapStep } from './bootstrap-plan.js';
import { findBuildersDir, readRecipeFiles } from './builders-dir.js';
import { inspectImage, type ImagesDocker, type InspectedImage } from './docker-port.js';
import { bootstrapGlibc, type FamilyContext } from './glibc-bootstrap.js';
import { checkBootstrapHost, hostDebianArch } from './host-checks.js';
import { IMAGE_LABELS } from './image-names.js';
import { bootstrapMusl } from './musl-bootstrap.js';
import { bootstrapToolchain } from './toolchain-bootstrap.js';
import type { OnImageProgress } from './progress.js';

/** Options of `farm images bootstrap`. */
export interface BootstrapOptions {
  /** Target ids or targets; musl targets pull in their glibc builder image. */
  readonly targets: readonly (string | Target)[];
  /** Python versions (default `3.11`); must be the one the Debian suite ships. */
  readonly python?: readonly string[];
  /** Rebuild even when an image with the same recipe hash is present. */
  readonly force?: boolean;
  /** Debian mirror (config `images.mirror`). */
  readonly mirror?: string;
  /** Debian suite (config `images.suite`). */
  readonly suite?: string;
  readonly onProgress?: OnImageProgress;
  /** The engine; defaults to the local socket (bootstrap needs a local engine: it bind-mounts). */
  readonly docker?: ImagesDocker;
  /** Where debootstrap and build outputs go temporarily (default: the OS temp dir). */
  readonly workDir?: string;
  /** Where each image's build log is written (default: `<tmp>/farm-bootstrap-logs`). */
  readonly logDir?: string;
  /** farm's `builders/` directory (default: the one shipped with farm). */
  readonly buildersDir?: string;
  /**
   * Images built at once (default 2). On two cores, the armv7 debootstrap
   * (one emulated process) and the musl compile overlap well.
   */
  readonly concurrency?: number;
}

/** What happened to one image. */
export interface BootstrapResult {
  readonly target: string;
  readonly python: string;
  readonly image: string;
  readonly status: 'built' | 'skipped';
  /** `present` (skipped), or why it was built: `missing`, `recipe changed`, `forced`. */
  readonly reason: string;
  readonly recipeHash: string;
  readonly imageId: string;
  /** Time spent building this image (not waiting for its builder or a slot); 0 when skipped. */
  readonly durationMs: number;
  /** Set for builder images built only because a musl image needed them. */
  readonly neededBy: string | undefined;
  readonly logPath: string | undefined;
}

/** Why a step must run, or undefined when the present image already is its result. Pure. */
export function rebuildReason(
  present: Pick<InspectedImage, 'Config'> | undefined,
  recipeHash: string,
  force: boolean,
): string | undefined {
  if (present === undefined) return 'missing';
  if (present.Config?.Labels?.[IMAGE_LABELS.recipeHash] !== recipeHash) return 'recipe changed';
  return force ? 'forced' : undefined;
}

/**
 * Builds the offline builder images of the given targets from a Debian
 * mirror only: no container registry. Idempotent: an image whose recipe hash
 * label matches is skipped (reported as `skipped: present`) unless `force`.
 * Up to `concurrency` images build at once (a musl image waits for its glibc
 * builder); each streams its progress. Results come in plan order; when a
 * build fails, the others still finish and the first failure is thrown.
 */
export async function bootstrapImages(options: BootstrapOptions): Promise<BootstrapResult[]> {
  const targets = options.targets.map((t) => (typeof t === 'string' ? getTarget(t) : t));
  const buildersDir = options.buildersDir ?? findBuildersDir();
  const steps = planBootstrap({
    targets,
    python: options.python ?? DEFAULT_PYTHON_VERSIONS,
    mirror: options.mirror ?? 'http://deb.debian.org/debian',
    suite: options.suite ?? 'bookworm',
    recipeFiles: {
      glibc: await readRecipeFiles(buildersDir, 'glibc'),
      musl: await readRecipeFiles(buildersDir, 'musl'),
      toolchain: await readRecipeFiles(buildersDir, 'toolchain'),
    },
    hostArch: hostDebianArch(),
  });
  const docker = options.docker ?? new Docker();
  const onProgress = options.onProgress ?? (() => {});
  const force = options.force ?? false;
  const ctx: BuildContext = {
    docker,
    buildersDir,
    workDir: options.workDir ?? os.tmpdir(),
    logDir: options.logDir ?? path.join(os.tmpdir(), 'farm-bootstrap-logs'),
    onProgress,
  };

  const decisions = await Promise.all(
    steps.map(async (step) => {
      const present = await inspectImage(docker, step.image);
      // A builder image pulled in for a musl image is never rebuilt just because of --force.
      return { step, present, reason: rebuildReason(present, step.recipeHash, force && step.neededBy === undefined) };
    }),
  );
  const toBuild = decisions.filter((d) => d.reason !== undefined);
  if (toBuild.length > 0) await checkBootstrapHost(toBuild.flatMap((d) => (d.step.target === undefined ? [] : [d.step.target])));

  const limit = pLimit(options.concurrency ?? 2);
  const byImage = new Map<string, Promise<BootstrapResult>>();
  for (const { step, present, reason } of decisions) {
    let outcome: Promise<BootstrapResult>;
    if (reason === undefined && present !== undefined) {
      onProgress({
        kind: 'done',
        target: step.subject,
        image: step.image,
        status: 'skipped',
        message: 'skipped: present (same recipe hash)',
        durationMs: 0,
      });
      outcome = Promise.resolve(result(step, 'skipped', 'present', present.Id, 0, undefined));
    } else {
      const builder = step.builder === undefined ? undefined : byImage.get(step.builder);
      outcome = (async () => {
        await builder;
        const built = await limit(() => buildStep(step, reason ?? 'forced', ctx));
        if (present !== undefined && present.Id !== built.image.Id) {
          // The tag moved to the new image; drop the old one unless something still uses it.
          await docker.getImage(present.Id).remove().catch(() => undefined);
        }
        return result(step, 'built', reason ?? 'forced', built.image.Id, built.durationMs, built.logPath);
      })();
    }
    byImage.set(step.image, outcome);
  }
  const settled = await Promise.allSettled(byImage.values());
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<BootstrapResult>).value);
}

interface BuildContext {
  readonly docker: ImagesDocker;
  readonly buildersDir: string;
  readonly workDir: string;
  readonly logDir: string;
  readonly onProgress: OnImageProgress;
}

async function buildStep(
  step: BootstrapStep,
  reason: string,
  ctx: BuildContext,
): Promise<{ image: InspectedImage; logPath: string; durationMs: number }> {
  const started = Date.now();
  const what =
    step.family === 'toolchain'
      ? `debootstrap ${step.params['suite']} (amd64) with gcc ${step.params['gcc']} cross compilers`
      : step.family === 'glibc'
        ? `debootstrap ${step.params['suite']} (${step.target.debianArch})`
        : `compile CPython ${step.python} for musl in ${step.builder}`;
  ctx.onProgress({
    kind: 'start',
    target: step.subject,
    image: step.image,
    message: `building (${reason}${step.neededBy ? `, needed by ${step.neededBy}` : ''}): ${what}`,
  });
  const log = await BootstrapLog.open(ctx.logDir, step.subject, step.image, ctx.onProgress);
  const family: FamilyContext = { docker: ctx.docker, buildersDir: ctx.buildersDir, workDir: ctx.workDir, log };
  try {
    const image =
      step.family === 'toolchain'
        ? await bootstrapToolchain(step, family)
        : step.family === 'glibc'
          ? await bootstrapGlibc(step, family)
          : await bootstrapMusl(step, family);
    ctx.onProgress({
      kind: 'done',
      target: step.subject,
      image: step.image,
      status: 'built',
      message: `built ${image.Id.slice(0, 19)} (${image.Architecture ?? '?'}${image.Variant ? `/${image.Variant}` : ''})`,
      durationMs: Date.now() - started,
    });
    return { image, logPath: log.path, durationMs: Date.now() - started };
  } finally {
    await log.close();
  }
}

function result(
  step: BootstrapStep,
  status: 'built' | 'skipped',
  reason: string,
  imageId: string,
  durationMs: number,
  logPath: string | undefined,
): BootstrapResult {
  return {
    target: step.subject,
    python: step.python,
    image: step.image,
    status,
    reason,
    recipeHash: step.recipeHash,
    imageId,
    durationMs,
    neededBy: step.neededBy,
    logPath,
  };
}
