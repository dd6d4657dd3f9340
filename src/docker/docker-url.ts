/**
 * Docker host URLs from `docker.hosts[].url` to dockerode connection options.
 * Pure: certificate files are named here and read by the caller.
 */
import type Dockerode from 'dockerode';
import { ConfigError } from '../errors.js';

/** Where an engine listens, parsed from its URL. */
export type DockerEndpoint =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'ssh'; host: string; port: number; username: string | undefined };

/** The environment variables Docker's own CLI reads for remote engines. */
export interface DockerEnv {
  DOCKER_TLS_VERIFY?: string | undefined;
  DOCKER_CERT_PATH?: string | undefined;
  SSH_AUTH_SOCK?: string | undefined;
}

/**
 * Parses `unix:///path`, `npipe:////./pipe/x`, `tcp://host[:port]` and
 * `ssh://[user@]host[:port]`. TLS is on for port 2376 or `DOCKER_TLS_VERIFY=1`,
 * as with the docker CLI. Throws `ConfigError` naming `source` otherwise.
 */
export function parseDockerUrl(url: string, source: string, env: DockerEnv = {}): DockerEndpoint {
  const bad = (message: string) => new ConfigError(source, [{ path: 'url', message: `${message}: ${url}` }]);
  if (url.startsWith('unix://') || url.startsWith('npipe://')) {
    const socketPath = url.slice(url.indexOf('://') + 3);
    if (socketPath === '') throw bad('expected a socket path');
    return { kind: 'socket', socketPath };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw bad('expected a host name');
  if (parsed.pathname !== '' && parsed.pathname !== '/') throw bad('a Docker URL has no path');
  if (parsed.protocol === 'tcp:') {
    const tlsWanted = env.DOCKER_TLS_VERIFY === '1';
    const port = parsed.port === '' ? (tlsWanted ? 2376 : 2375) : Number(parsed.port);
    return { kind: 'tcp', host, port, tls: tlsWanted || port === 2376 };
  }
  if (parsed.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      host,
      port: parsed.port === '' ? 22 : Number(parsed.port),
      username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    };
  }
  throw bad('expected unix://, tcp:// or ssh://');
}

/** True for engines on this machine, whose kernel (and binfmt handlers) farm can inspect. */
export function isLocalEndpoint(endpoint: DockerEndpoint): boolean {
  if (endpoint.kind === 'socket') return true;
  if (endpoint.kind === 'ssh') return false;
  return endpoint.host === 'localhost' || endpoint.host === '::1' || endpoint.host.startsWith('127.');
}

/** dockerode options without the TLS material; `certDir` says where to read it. */
export interface DockerConnection {
  options: Dockerode.DockerOptions;
  /** `ca.pem`, `cert.pem`, `key.pem` live here when TLS client certs are used. */
  certDir: string | undefined;
}

/**
 * dockerode options for an endpoint. Every connection field is set, even to
 * `undefined`, because docker-modem merges its own `DOCKER_HOST` defaults
 * under ours: a stale `host` from the environment would override a socket.
 * ssh uses the agent at `SSH_AUTH_SOCK` and runs `docker system dial-stdio`
 * on the remote host, like the docker CLI.
 */
export function dockerConnection(endpoint: DockerEndpoint, env: DockerEnv = {}): DockerConnection {
  const blank = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, username: undefined };
  switch (endpoint.kind) {
    case 'socket':
      return { options: { ...blank, socketPath: endpoint.socketPath }, certDir: undefined };
    case 'tcp':
      return {
        options: { ...blank, host: endpoint.host, port: endpoint.port, protocol: endpoint.tls ? 'https' : 'http' },
        certDir: endpoint.tls ? env.DOCKER_CERT_PATH : undefined,
      };
    case 'ssh':
      return {
        options: {
          ...blank,
          protocol: 'ssh',
          host: endpoint.host,
          port: endpoint.port,
          username: endpoint.username,
          ...(env.SSH_AUTH_SOCK === undefined ? {} : { sshOptions: { agent: env.SSH_AUTH_SOCK } }),
        },
        certDir: undefined,
      };
  }
}
