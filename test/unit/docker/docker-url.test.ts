import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { dockerConnection, isLocalEndpoint, parseDockerUrl, type DockerEndpoint } from '../../../src/docker/docker-url.js';

describe('parseDockerUrl', () => {
  it.each<[string, Record<string, string>, DockerEndpoint]>([
    ['unix:///var/run/docker.sock', {}, { kind: 'socket', socketPath: '/var/run/docker.sock' }],
    ['unix:///run/user/1000/docker.sock', {}, { kind: 'socket', socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://build1:2375', {}, { kind: 'tcp', host: 'build1', port: 2375, tls: false }],
    ['tcp://build1', {}, { kind: 'tcp', host: 'build1', port: 2375, tls: false }],
    ['tcp://build1:2376', {}, { kind: 'tcp', host: 'build1', port: 2376, tls: true }],
    ['tcp://build1', { DOCKER_TLS_VERIFY: '1' }, { kind: 'tcp', host: 'build1', port: 2376, tls: true }],
    ['tcp://[::1]:2375', {}, { kind: 'tcp', host: '::1', port: 2375, tls: false }],
    ['ssh://farm@pi.local', {}, { kind: 'ssh', host: 'pi.local', port: 22, username: 'farm' }],
    ['ssh://pi.local:2222', {}, { kind: 'ssh', host: 'pi.local', port: 2222, username: undefined }],
  ])('%s %j', (url, env, endpoint) => {
    expect(parseDockerUrl(url, 'docker host test', env)).toEqual(endpoint);
  });

  it.each(['unix://', 'http://build1:2375', 'tcp://', 'tcp://build1:2375/v1.41'])('rejects %s', (url) => {
    expect(() => parseDockerUrl(url, 'docker host test')).toThrow(ConfigError);
  });
});

describe('isLocalEndpoint', () => {
  it.each([
    ['unix:///var/run/docker.sock', true],
    ['tcp://127.0.0.1:2375', true],
    ['tcp://localhost:2375', true],
    ['tcp://build1:2375', false],
    ['ssh://localhost', false],
  ])('%s -> %s', (url, local) => {
    expect(isLocalEndpoint(parseDockerUrl(url, 'test'))).toBe(local);
  });
});

describe('dockerConnection', () => {
  it('blanks every remote field for a socket, so a stale DOCKER_HOST cannot win', () => {
    const { options, certDir } = dockerConnection({ kind: 'socket', socketPath: '/var/run/docker.sock' });
    expect(options).toEqual({
      socketPath: '/var/run/docker.sock',
      host: undefined,
      port: undefined,
      protocol: undefined,
      username: undefined,
    });
    expect('host' in options).toBe(true);
    expect(certDir).toBeUndefined();
  });

  it.each<[DockerEndpoint, Record<string, string>, object, string | undefined]>([
    [{ kind: 'tcp', host: 'b', port: 2375, tls: false }, {}, { host: 'b', port: 2375, protocol: 'http' }, undefined],
    [
      { kind: 'tcp', host: 'b', port: 2376, tls: true },
      { DOCKER_CERT_PATH: '/etc/farm/certs' },
      { host: 'b', port: 2376, protocol: 'https' },
      '/etc/farm/certs',
    ],
    [
      { kind: 'ssh', host: 'pi', port: 22, username: 'farm' },
      { SSH_AUTH_SOCK: '/tmp/agent.sock' },
      { protocol: 'ssh', host: 'pi', port: 22, username: 'farm', sshOptions: { agent: '/tmp/agent.sock' } },
      undefined,
    ],
  ])('%j', (endpoint, env, expected, certDir) => {
    const connection = dockerConnection(endpoint, env);
    expect(connection.options).toMatchObject(expected);
    expect(connection.options.socketPath).toBeUndefined();
    expect(connection.certDir).toBe(certDir);
  });
});
