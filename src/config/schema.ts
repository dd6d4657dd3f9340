import { CronExpressionParser } from 'cron-parser';
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
  /**
   * Hybrid ARM builds on an x86_64 host: Python and pip under qemu, the
   * compiler native (farm's cross toolchain). Unset: on for farm's bootstrap
   * images when the toolchain image is present; `false`: always emulated;
   * `true`: also for other images (their compiler should be gcc of the same
   * major version as the toolchain's).
   */
  crossCompile: z.boolean().optional(),
  /** ccache (native) in front of the compiler, its objects in the target's cache volume. */
  ccache: z.boolean().default(true),
});
export type DockerHostConfig = z.infer<typeof DockerHostConfig>;

/** TLS files of a `rediss://` connection. */
export const RedisTlsConfig = z
  .strictObject({
    /** CA certificate(s) that signed the server's certificate (default: the system's CAs). */
    ca: z.string().min(1).optional(),
    /** Client certificate, for a server with `tls-auth-clients yes`. */
    cert: z.string().min(1).optional(),
    /** The client certificate's private key. */
    key: z.string().min(1).optional(),
    /** The name the server's certificate must carry, when it differs from the URL's host. */
    servername: z.string().min(1).optional(),
  })
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), {
    message: 'redis.tls.cert and redis.tls.key go together',
  });
export type RedisTlsConfig = z.infer<typeof RedisTlsConfig>;

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

// ─── Triggers (issue 8): tracked requirement sets and `farm api` ────────────
// Owned by the triggers area (src/tracked, src/schedule, src/api).

/** A name of an environment variable that holds a secret; secrets never sit in the config file. */
const EnvVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like FARM_GITHUB_SECRET');

/** A catalog target id, reported at its own path when unknown. */
const TrackedTargetId = z.string().refine((id) => TARGETS.has(id), {
  error: (issue) => `unknown target '${String(issue.input)}'; valid targets: ${[...TARGETS.keys()].join(', ')}`,
});

/** The forges whose push webhooks `farm api` understands (`gitea` also covers Forgejo). */
export const Forge = z.enum(['github', 'gitlab', 'gitea']);
export type Forge = z.infer<typeof Forge>;

/** A path inside a git repository: relative, no `..`. */
const RepoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a relative path inside the repository');

/**
 * Where a tracked set's requirements come from: a requirements file on this
 * machine, or files inside a git repository on branches matching a glob.
 */
export const TrackedSource = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('file'),
    /** Absolute, or relative to farm's working directory. */
    path: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('git'),
    /** Clone URL farm fetches from (https://, ssh://, git@host:path, or a local path). Never taken from a webhook body. */
    url: z
      .string()
      .min(1)
      .refine((u) => !u.startsWith('-'), 'a repository URL must not start with "-"'),
    /** Branch glob (`main`, `release/*`, `{main,stable}`); `*` does not cross `/`. */
    branch: z.string().min(1).default('main'),
    /** Requirement files inside the repository. */
    files: z.array(RepoPath).min(1).default(['requirements.txt']),
    /** Only this forge's hook endpoint may trigger the set (default: any). */
    forge: Forge.optional(),
    /** Environment variable holding this repository's webhook secret (default: `api.secretEnv.<forge>`). */
    secretEnv: EnvVarName.optional(),
  }),
]);
export type TrackedSource = z.infer<typeof TrackedSource>;

/** A requirement set farm keeps built without anyone asking: nightly and on push. */
export const TrackedSet = z.strictObject({
  /** Unique; names the schedule (`farm schedule run <name>`). */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a name like "web-app"'),
  source: TrackedSource,
  targets: z.array(TrackedTargetId).min(1),
  /** Python versions; unset means each target's configured versions. */
  python: z.array(PythonVersion).min(1).optional(),
  /** Rebuild on a cron (5 fields, or 6 with seconds first) in a time zone. */
  schedule: z
    .strictObject({
      /** Checked with cron-parser, the parser BullMQ schedules with (same version). */
      cron: z
        .string()
        .min(1)
        .superRefine((cron, ctx) => {
          const problem = cronProblem(cron);
          if (problem !== null) ctx.addIssue({ code: 'custom', message: `invalid cron '${cron}': ${problem}` });
        }),
      tz: z
        .string()
        .default('UTC')
        .refine((tz) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, 'unknown time zone; expected an IANA name like "Europe/Berlin"'),
    })
    .optional(),
});
export type TrackedSet = z.infer<typeof TrackedSet>;

/** `farm api`: the webhook receiver, request status, dashboard and metrics. */
export const ApiConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(8080),
  /** Largest accepted request body; larger ones get 413. */
  bodyLimitBytes: z.int().min(1024).default(5 * 1024 * 1024),
  /** Webhook requests per source address and forge per window; more get 429. */
  rateLimit: z
    .strictObject({
      /** Accepted (authenticated) deliveries per source address and forge per window. */
      max: z.int().min(1).default(60),
      /** Requests that fail authentication, per source address and forge per window: a bucket of their own. */
      failedAuthMax: z.int().min(1).default(30),
      windowSeconds: z.int().min(1).default(60),
    })
    .prefault({}),
  /**
   * Connection timeouts of `farm api`: a client must send its headers within
   * `headersSeconds` and its whole request within `requestSeconds` (raise it
   * for large uploads over slow links), and a connection with no traffic for
   * `idleSeconds` is closed. Slow clients can't hold thousands of sockets.
   */
  timeouts: z
    .strictObject({
      headersSeconds: z.int().min(1).default(10),
      requestSeconds: z.int().min(1).default(120),
      idleSeconds: z.int().min(1).default(30),
    })
    .prefault({}),
  /** How long a delivery id is remembered, so redeliveries return the same request. */
  deliveryTtlSeconds: z.int().min(60).default(7 * 24 * 3600),
  /**
   * Largest wheel the upload API (`POST /<repo>/upload/`) accepts; larger
   * ones get 413 and nothing is written.
   */
  uploadLimitBytes: z.int().min(1024).default(1024 * 1024 * 1024),
  /**
   * Public base URL of the served repositories (`farm serve` or nginx), e.g.
   * `https://farm.example/` when `/<repo>/simple/` is served there. Remote
   * workers read published wheels from it; unset, they use the API's own URL.
   */
  indexUrl: z.url().optional(),
  /**
   * Trust `X-Forwarded-For` for the client address (rate limits are per
   * address). Set it when nginx or another proxy sits in front, or every
   * client counts as the proxy's address; leave it off when `farm api` is
   * reached directly, or any client can pick its address.
   */
  trustProxy: z.boolean().default(false),
  /** Environment variable with the bearer token of `/admin/queues`; unset or empty disables the dashboard. */
  adminTokenEnv: EnvVarName.default('FARM_ADMIN_TOKEN'),
  /** Environment variables with each forge's default webhook secret (GitLab: the secret token). */
  secretEnv: z
    .strictObject({
      github: EnvVarName.default('FARM_GITHUB_SECRET'),
      gitlab: EnvVarName.default('FARM_GITLAB_TOKEN'),
      gitea: EnvVarName.default('FARM_GITEA_SECRET'),
    })
    .prefault({}),
});
export type ApiConfig = z.infer<typeof ApiConfig>;

// ─── end of triggers block ──────────────────────────────────────────────────

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
      /**
       * TLS for a `rediss://` URL (Redis across the internet): the CA that
       * signed the server's certificate, and a client certificate and key
       * when the server asks for one (`tls-auth-clients yes`). PEM files.
       */
      tls: RedisTlsConfig.optional(),
      /**
       * A file holding the Redis password (a Docker or systemd secret),
       * instead of putting it in the URL. The user name (ACL) stays in the URL.
       */
      passwordFile: z.string().min(1).optional(),
    })
    .prefault({})
    .superRefine((redis, ctx) => {
      if (redis.tls !== undefined && redis.url !== undefined && !redis.url.startsWith('rediss://')) {
        ctx.addIssue({ code: 'custom', path: ['tls'], message: 'redis.tls needs a rediss:// URL (redis.url or REDIS_URL)' });
      }
    }),
  docker: z
    .strictObject({
      hosts: z
        .array(DockerHostConfig)
        .min(1)
        .default([{ name: 'local', url: 'unix:///var/run/docker.sock', concurrency: 2, platforms: 'auto', network: 'bridge', ccache: true }]),
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
  // Triggers (issue 8): see the triggers block above.
  /** Tracked requirement sets: rebuilt on their schedule and on pushes to their repository. */
  sets: z
    .array(TrackedSet)
    .default([])
    .superRefine((sets, ctx) => {
      const seen = new Set<string>();
      sets.forEach((set, i) => {
        if (seen.has(set.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate set name '${set.name}'` });
        seen.add(set.name);
      });
    }),
  api: ApiConfig.prefault({}),
  // ─── Pipeline (issue 5) ────────────────────────────────────────────────────
  pipeline: z
    .strictObject({
      /**
       * Name prefix of the per-target Docker volumes holding pip's cache and
       * downloads (`<prefix><target-id>`). Farms (or test runs) sharing a
       * Docker engine keep their caches apart with different prefixes.
       */
      cacheVolumePrefix: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Docker volume name prefix like "farm-cache-"')
        .default('farm-cache-'),
      /**
       * Cap of each build log (all steps and attempts of one package on one
       * target): beyond it the head and the last quarter (at most 4 MiB) are
       * kept and the log says how much was cut, so a build printing forever
       * can't fill the disk.
       */
      maxLogBytes: z.int().min(64 * 1024).default(32 * 1024 * 1024),
    })
    .prefault({}),
  // ─── end of pipeline block ─────────────────────────────────────────────────
});
export type FarmConfig = z.infer<typeof FarmConfig>;

/** Why cron-parser refuses `cron`, or `null` when BullMQ will accept it. */
function cronProblem(cron: string): string | null {
  try {
    CronExpressionParser.parse(cron);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
