import { z } from 'zod';
import { TARGETS } from '../targets/catalog.js';

/** `3.11`, `3.12`: CPython feature versions farm builds for. */
const PythonVersion = z.string().regex(/^3\.\d{1,2}$/, 'expected a Python version like "3.11"');

/** `targets:` keyed by catalog id; an unknown id is reported at its own path. */
const TargetsConfig = z.record(z.string(), z.lazy(() => TargetConfig)).superRefine((targets, ctx) => {
  for (const id of Object.keys(targets)) {
    if (!TARGETS.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: [id],
        message: `unknown target '${id}'; valid targets: ${[...TARGETS.keys()].join(', ')}`,
      });
    }
  }
});

/** One Docker engine farm may run containers on. */
export const DockerHostConfig = z.strictObject({
  name: z.string().min(1),
  /** `unix:///var/run/docker.sock`, `tcp://host:2376` or `ssh://user@host`. */
  url: z.string().regex(/^(unix|tcp|ssh|npipe):\/\//, 'expected unix://, tcp:// or ssh:// URL'),
  /** Containers this host runs at once. */
  concurrency: z.int().min(1).max(256).default(2),
  /**
   * Platforms the host runs. `auto` asks the engine for its native
   * architecture and the kernel for enabled binfmt/qemu handlers.
   */
  platforms: z
    .union([z.literal('auto'), z.array(z.enum(['linux/amd64', 'linux/arm64', 'linux/arm/v7'])).min(1)])
    .default('auto'),
  /**
   * Docker network mode of build containers. `host` lets containers reach an
   * upstream index on the host's loopback (offline sites, tests).
   */
  network: z.enum(['bridge', 'host', 'none']).default('bridge'),
});
export type DockerHostConfig = z.infer<typeof DockerHostConfig>;

/** Per-target overrides of the catalog. */
export const TargetConfig = z.strictObject({
  /** Builder image; when unset, chosen by `images.source`. */
  image: z.string().min(1).optional(),
  python: z.array(PythonVersion).min(1).optional(),
  /** Repository directory this target's wheels land in (default: `glibc` or `musl`). */
  repository: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a plain directory name like "glibc"')
    .optional(),
});
export type TargetConfig = z.infer<typeof TargetConfig>;

/**
 * `farm.config.yaml`. Every key is optional: the defaults run a single-host
 * farm with an embedded Redis against PyPI.
 */
export const FarmConfig = z.strictObject({
  /** Repository root: `<root>/<repo>/packages/*.whl` and the index beside them. */
  root: z.string().min(1).default('/srv/farm'),
  /** Logs, locks, the embedded Redis socket. Defaults to `<root>/.farm`. */
  stateDir: z.string().min(1).optional(),
  redis: z
    .strictObject({
      /** `redis://host:6379`. Unset: `farm build` runs a private embedded redis-server. */
      url: z.string().regex(/^(redis|rediss|unix):\/\//, 'expected a redis:// URL').optional(),
      /** The redis-server binary used in embedded mode. */
      serverBinary: z.string().default('redis-server'),
    })
    .prefault({}),
  docker: z
    .strictObject({
      hosts: z
        .array(DockerHostConfig)
        .min(1)
        .default([{ name: 'local', url: 'unix:///var/run/docker.sock', concurrency: 2, platforms: 'auto', network: 'bridge' }]),
    })
    .prefault({}),
  upstream: z
    .strictObject({
      /** Where sdists and wheels come from (pip's `--index-url`). */
      indexUrl: z.url().default('https://pypi.org/simple/'),
      extraIndexUrls: z.array(z.url()).default([]),
    })
    .prefault({}),
  images: z
    .strictObject({
      /** `auto`: a present bootstrap image, else the official one. */
      source: z.enum(['auto', 'official', 'bootstrap']).default('auto'),
      /** Debian mirror for `farm images bootstrap`. */
      mirror: z.url().default('http://deb.debian.org/debian'),
      suite: z.string().default('bookworm'),
    })
    .prefault({}),
  /** Python versions built for every target unless the target overrides them. */
  python: z.array(PythonVersion).min(1).default(['3.11']),
  targets: TargetsConfig.default({}),
  concurrency: z
    .strictObject({
      /** Build jobs one worker process runs at once, across all hosts. */
      builds: z.int().min(1).max(256).default(2),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      buildSeconds: z.int().min(1).default(3600),
      resolveSeconds: z.int().min(1).default(600),
      testSeconds: z.int().min(1).default(600),
    })
    .prefault({}),
  recipes: z
    .strictObject({
      /** Recipe directory; unset means the `recipes/` shipped with farm. */
      dir: z.string().min(1).optional(),
    })
    .prefault({}),
});
export type FarmConfig = z.infer<typeof FarmConfig>;
