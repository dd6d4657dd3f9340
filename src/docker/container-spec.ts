/**
 * The pure half of the executor: a build step, described as data, becomes the
 * exact create-options object dockerode sends to the engine. Nothing here
 * talks to Docker, so every security-relevant choice (argv, user, limits,
 * mounts, labels) is checked by table-driven unit tests.
 */
import type Dockerode from 'dockerode';
import { z } from 'zod';
import { validate } from '../validation/validate.js';
import { TOOLCHAIN_MOUNT_PATH, ToolchainUse, toolchainEnv, toolchainMount } from './toolchain-mount.js';

/** Label keys every farm container carries; the sweeper and `farm` CLI select on them. */
export const FARM_LABELS = {
  managed: 'farm.managed',
  job: 'farm.job',
  worker: 'farm.worker',
  target: 'farm.target',
  request: 'farm.request',
  /** What the container does for its job: `resolve`, `prepare`, `compile`, `repair`, `smoke`. */
  step: 'farm.step',
} as const;

/** Where the per-target download and pip cache volume is mounted in every container. */
export const CACHE_MOUNT_PATH = '/farm/cache';
/** pip's cache inside the cache volume (`PIP_CACHE_DIR`). */
export const PIP_CACHE_PATH = `${CACHE_MOUNT_PATH}/pip`;
/** ccache's objects inside the cache volume (`CCACHE_DIR`), for native, emulated and hybrid builds. */
export const CCACHE_PATH = `${CACHE_MOUNT_PATH}/ccache`;
/** Downloaded sdists and wheels inside the cache volume (`FARM_DOWNLOAD_DIR`). */
export const DOWNLOAD_CACHE_PATH = `${CACHE_MOUNT_PATH}/downloads`;
/** Default container path of the output directory. */
export const DEFAULT_OUTPUT_PATH = '/out';
/** Build containers never run as root unless a step asks for it. */
export const DEFAULT_USER = '1000:1000';
/** Default prefix of cache volume names: `farm-cache-<target-id>`. */
export const DEFAULT_CACHE_VOLUME_PREFIX = 'farm-cache-';

/** Resource limits applied when a step does not set its own. */
export const DEFAULT_LIMITS = {
  memoryBytes: 4 * 1024 ** 3,
  cpus: 2,
  pids: 4096,
} as const;

const AbsolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, 'expected an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const NoNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL bytes');

/** A read-only bind mount of a host path into the container. */
export const InputMount = z.strictObject({
  hostPath: AbsolutePath,
  containerPath: AbsolutePath,
});
export type InputMount = z.infer<typeof InputMount>;

/**
 * One build step as data. `argv` becomes the container's `Cmd` array verbatim:
 * no shell ever sees it, so package names with metacharacters stay one
 * argument. The image's entrypoint is kept unless `entrypoint` is given.
 */
export const BuildStep = z
  .strictObject({
    image: z.string().min(1),
    platform: z.enum(['linux/amd64', 'linux/arm64', 'linux/arm/v7']),
    argv: z.array(NoNul).min(1, 'a step needs a program to run'),
    /** Replaces the image's ENTRYPOINT; unset keeps it (PyPA images exec "$@"). */
    entrypoint: z.array(NoNul).min(1).optional(),
    env: z.record(EnvName, NoNul).default({}),
    workdir: AbsolutePath.optional(),
    /** The directory the step writes its results to; bound read-write. */
    output: z
      .strictObject({
        hostPath: AbsolutePath,
        containerPath: AbsolutePath.default(DEFAULT_OUTPUT_PATH),
      })
      .optional(),
    /** Sources, constraints, recipes: bound read-only. */
    inputs: z.array(InputMount).default([]),
    /** Mount the target's cache volume at `CACHE_MOUNT_PATH`. */
    cache: z.boolean().default(true),
    /** farm's native toolchain (hybrid compiler and/or ccache), see `toolchain-mount.ts`. */
    toolchain: ToolchainUse.optional(),
    /** `uid:gid` (or a user name the image knows). */
    user: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, 'expected uid:gid').default(DEFAULT_USER),
    limits: z
      .strictObject({
        /** Hard memory limit; swap is not allowed beyond it. */
        memoryBytes: z.int().min(16 * 1024 * 1024).default(DEFAULT_LIMITS.memoryBytes),
        /** CPUs as a fraction (`1.5`), turned into NanoCpus. */
        cpus: z.number().positive().max(1024).default(DEFAULT_LIMITS.cpus),
        pids: z.int().min(16).default(DEFAULT_LIMITS.pids),
      })
      .prefault({}),
  })
  .superRefine((step, ctx) => {
    // Two mounts on one path would silently shadow each other.
    const seen = new Map<string, string>();
    const claim = (containerPath: string, what: string, path: (string | number)[]) => {
      const other = seen.get(containerPath);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path, message: `${containerPath} is already used by ${other}` });
      } else {
        seen.set(containerPath, what);
      }
    };
    if (step.cache) claim(CACHE_MOUNT_PATH, 'the cache volume', ['cache']);
    if (step.toolchain) {
      claim(TOOLCHAIN_MOUNT_PATH, 'the toolchain volume', ['toolchain']);
      if (step.toolchain.ccache && !step.cache) {
        ctx.addIssue({ code: 'custom', path: ['toolchain', 'ccache'], message: 'ccache keeps its objects in the cache volume: set cache: true or ccache: false' });
      }
    }
    if (step.output) claim(step.output.containerPath, 'output', ['output', 'containerPath']);
    step.inputs.forEach((input, i) => claim(input.containerPath, `inputs.${i}`, ['inputs', i, 'containerPath']));
  });
/** A validated step, with every default filled in. */
export type BuildStep = z.infer<typeof BuildStep>;
/** What callers write: defaults may be left out. */
export type BuildStepInput = z.input<typeof BuildStep>;

/** Who runs the step, and where: becomes labels, the network mode and the cache volume. */
export const StepContext = z.strictObject({
  jobId: z.string().min(1),
  workerId: z.string().min(1),
  targetId: z.string().min(1),
  requestId: z.string().min(1).optional(),
  /** What the container does for its job (label `farm.step`). */
  step: z.string().regex(/^[a-z][a-z-]*$/).optional(),
  /** From `docker.hosts[].network` of the host the step runs on. */
  network: z.enum(['bridge', 'host', 'none']).default('bridge'),
  /**
   * With `network: none`: join this container's network namespace (a network
   * holder, see network-holders.ts) instead of getting a new one.
   */
  networkOf: z
    .string()
    .regex(/^[0-9a-f]{12,64}$/, 'expected a container id')
    .optional(),
  /** Cache volume name prefix; tests use their own so they never touch real caches. */
  cacheVolumePrefix: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Docker volume name prefix')
    .default(DEFAULT_CACHE_VOLUME_PREFIX),
  /** Optional container name (must be unique on the engine). */
  name: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Docker container name')
    .optional(),
}).refine((ctx) => ctx.networkOf === undefined || ctx.network === 'none', {
  message: 'networkOf joins a holder with no network: only with network "none"',
  path: ['networkOf'],
});
/** A validated step context. */
export type StepContext = z.infer<typeof StepContext>;
/** What callers write: `network` and `cacheVolumePrefix` may be left out. */
export type StepContextInput = z.input<typeof StepContext>;

/** The cache volume of a target: one per target, shared by its builds on a host. */
export function cacheVolumeName(targetId: string, prefix: string = DEFAULT_CACHE_VOLUME_PREFIX): string {
  return `${prefix}${targetId}`;
}

/** True when `user` names root, which keeps Docker's default capabilities. */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0];
  return name === '0' || name === 'root';
}

/**
 * Environment every step gets before its own `env`: a writable HOME (uid 1000
 * has no passwd entry in most images), the cache locations, and unbuffered
 * Python so the log streams while the build runs.
 */
function defaultEnv(step: BuildStep): Record<string, string> {
  return {
    HOME: '/tmp',
    PYTHONUNBUFFERED: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    ...(step.cache ? { PIP_CACHE_DIR: PIP_CACHE_PATH, FARM_DOWNLOAD_DIR: DOWNLOAD_CACHE_PATH } : {}),
  };
}

/** The labels of a step's container. */
export function containerLabels(ctx: StepContext): Record<string, string> {
  return {
    [FARM_LABELS.managed]: 'true',
    [FARM_LABELS.job]: ctx.jobId,
    [FARM_LABELS.worker]: ctx.workerId,
    [FARM_LABELS.target]: ctx.targetId,
    ...(ctx.requestId === undefined ? {} : { [FARM_LABELS.request]: ctx.requestId }),
    ...(ctx.step === undefined ? {} : { [FARM_LABELS.step]: ctx.step }),
  };
}

/**
 * Turns a step into dockerode's create options. Validates both arguments
 * (throws `ConfigError` listing every problem). The result is non-TTY so the
 * runner can demultiplex stdout from stderr.
 */
export function buildContainerSpec(stepInput: BuildStepInput, ctxInput: StepContextInput): Dockerode.ContainerCreateOptions {
  const step = validate(BuildStep, stepInput, 'build step');
  const ctx = validate(StepContext, ctxInput, 'build step context');

  const mounts: Dockerode.MountSettings[] = [];
  if (step.cache) {
    mounts.push({
      Type: 'volume',
      Source: cacheVolumeName(ctx.targetId, ctx.cacheVolumePrefix),
      Target: CACHE_MOUNT_PATH,
      ReadOnly: false,
    });
  }
  if (step.output) {
    mounts.push({ Type: 'bind', Source: step.output.hostPath, Target: step.output.containerPath, ReadOnly: false });
  }
  for (const input of step.inputs) {
    mounts.push({ Type: 'bind', Source: input.hostPath, Target: input.containerPath, ReadOnly: true });
  }
  if (step.toolchain) mounts.push(toolchainMount(step.toolchain));

  // The toolchain's PATH goes in front of the step's own PATH, or else the image's.
  const tools = step.toolchain ? toolchainEnv(step.toolchain, CCACHE_PATH, step.env['PATH'] ?? step.toolchain.basePath) : {};
  const env = { ...defaultEnv(step), ...step.env, ...tools };
  const root = isRootUser(step.user);

  return {
    ...(ctx.name === undefined ? {} : { name: ctx.name }),
    platform: step.platform,
    Image: step.image,
    Cmd: [...step.argv],
    ...(step.entrypoint === undefined ? {} : { Entrypoint: [...step.entrypoint] }),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ...(step.workdir === undefined ? {} : { WorkingDir: step.workdir }),
    User: step.user,
    Labels: containerLabels(ctx),
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: ctx.networkOf === undefined ? ctx.network : `container:${ctx.networkOf}`,
      Mounts: mounts,
      Memory: step.limits.memoryBytes,
      MemorySwap: step.limits.memoryBytes,
      NanoCpus: Math.round(step.limits.cpus * 1e9),
      PidsLimit: step.limits.pids,
      SecurityOpt: ['no-new-privileges'],
      // A non-root build needs no capabilities; root steps (image set-up,
      // cache volume ownership) keep Docker's default set.
      ...(root ? {} : { CapDrop: ['ALL'] }),
      AutoRemove: false,
    },
  };
}
