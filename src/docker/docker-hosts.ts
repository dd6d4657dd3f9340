/**
 * The Docker engines farm runs containers on, from `docker.hosts` (where
 * `DOCKER_HOST` has already replaced the first host's URL, see load-config).
 * Each host gets a dockerode client, a p-limit concurrency limiter and the
 * platforms it can run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Dockerode from 'dockerode';
import pLimit, { type LimitFunction } from 'p-limit';
import type { DockerHostConfig } from '../config/schema.js';
import { HostError } from '../errors.js';
import type { DockerPlatform, Target } from '../targets/catalog.js';
import { readBinfmtStatus } from './binfmt.js';
import type { BinfmtReader } from './binfmt-status.js';
import { dockerConnection, isLocalEndpoint, parseDockerUrl, type DockerEnv } from './docker-url.js';
import { chooseHost, resolveHostPlatforms, type HostLoad } from './host-placement.js';

/** A connected engine with its limiter. */
export interface DockerHost extends HostLoad {
  readonly url: string;
  /** Network mode for its build containers (`docker.hosts[].network`). */
  readonly network: DockerHostConfig['network'];
  /** `docker.hosts[].crossCompile` (undefined: automatic, see compiler-mode.ts). */
  readonly crossCompile: boolean | undefined;
  /** `docker.hosts[].ccache`. */
  readonly ccache: boolean;
  readonly client: Dockerode;
  readonly limit: LimitFunction;
  /** Runs `task` once a slot on this host is free. */
  run<T>(task: (host: DockerHost) => Promise<T>): Promise<T>;
}

/** Injectable edges of `connectDockerHosts`. */
export interface ConnectOptions {
  env?: DockerEnv;
  /** binfmt of this machine; used for local `platforms: auto` hosts. */
  readBinfmt?: BinfmtReader;
  /** Builds the client; tests and tools may wrap it. */
  createClient?: (options: Dockerode.DockerOptions) => Dockerode;
}

/** A dockerode client for one configured host, without asking the engine anything. */
export async function dockerClientFor(
  host: Pick<DockerHostConfig, 'name' | 'url'>,
  options: Pick<ConnectOptions, 'env' | 'createClient'> = {},
): Promise<Dockerode> {
  const env = options.env ?? process.env;
  const endpoint = parseDockerUrl(host.url, `docker host ${host.name}`, env);
  const connection = dockerConnection(endpoint, env);
  const tls =
    connection.certDir === undefined
      ? {}
      : {
          ca: await readFile(path.join(connection.certDir, 'ca.pem')),
          cert: await readFile(path.join(connection.certDir, 'cert.pem')),
          key: await readFile(path.join(connection.certDir, 'key.pem')),
        };
  const create = options.createClient ?? ((o: Dockerode.DockerOptions) => new Dockerode(o));
  return create({ ...connection.options, ...tls });
}

/**
 * Connects to every configured host and learns its platforms. An unreachable
 * engine is a `HostError`: a worker can't do anything useful without it.
 */
export async function connectDockerHosts(
  hosts: readonly DockerHostConfig[],
  options: ConnectOptions = {},
): Promise<DockerHost[]> {
  const env = options.env ?? process.env;
  let binfmt: Promise<Awaited<ReturnType<BinfmtReader>>> | undefined;
  const localBinfmt = () => (binfmt ??= (options.readBinfmt ?? (() => readBinfmtStatus()))());

  return Promise.all(
    hosts.map(async (config) => {
      const client = await dockerClientFor(config, { ...options, env });
      const local = isLocalEndpoint(parseDockerUrl(config.url, `docker host ${config.name}`, env));
      // Even an explicit platform list needs the native one, to prefer it.
      let architecture: string;
      try {
        architecture = String((await client.info()).Architecture);
      } catch (error) {
        throw new HostError(`Docker host ${config.name} (${config.url}) is not reachable: ${(error as Error).message}`, {
          cause: error,
          hint: local ? 'start it with: sudo scripts/setup-host.sh' : `check that ${config.url} is up and reachable`,
        });
      }
      const platforms = resolveHostPlatforms(
        config.platforms,
        architecture,
        config.platforms === 'auto' && local ? await localBinfmt() : undefined,
      );
      return makeHost(config, client, platforms.native, platforms.emulated);
    }),
  );
}

function makeHost(
  config: DockerHostConfig,
  client: Dockerode,
  native: DockerPlatform[],
  emulated: DockerPlatform[],
): DockerHost {
  const limit = pLimit(config.concurrency);
  const host: DockerHost = {
    name: config.name,
    url: config.url,
    network: config.network,
    crossCompile: config.crossCompile,
    ccache: config.ccache,
    concurrency: config.concurrency,
    native,
    emulated,
    client,
    limit,
    get active() {
      return limit.activeCount;
    },
    get pending() {
      return limit.pendingCount;
    },
    run: (task) => limit(() => task(host)),
  };
  return host;
}

/** The host a target's next step should run on (see `chooseHost`). */
export function placeTarget(hosts: readonly DockerHost[], target: Target): DockerHost {
  return chooseHost(hosts, target);
}
