import { describe, expect, it } from 'vitest';
import { pipTrustEnv, trustedHosts } from '../../../src/upstream/trusted-hosts.js';

describe('trustedHosts (issue 14, point 19)', () => {
  it.each<[string[], string[]]>([
    [['https://pypi.org/simple/'], []],
    [['http://127.0.0.1:8080/simple/'], []],
    [['http://localhost/simple/'], []],
    [['http://[::1]:3141/root/pypi/'], []],
    [['http://172.17.0.1:3141/root/pypi/+simple/'], ['172.17.0.1:3141']],
    [['http://devpi.lan/root/pypi/+simple/', 'https://pypi.org/simple/', 'http://devpi.lan/other/+simple/'], ['devpi.lan']],
    [['http://mirror.example:8080/simple/', 'http://wheels.example/simple/'], ['mirror.example:8080', 'wheels.example']],
    [['not a url'], []],
  ])('%j → %j', (urls, hosts) => expect(trustedHosts(urls)).toEqual(hosts));

  it('becomes PIP_TRUSTED_HOST, space-separated, only when needed', () => {
    expect(pipTrustEnv(['https://pypi.org/simple/'])).toEqual({});
    expect(pipTrustEnv(['http://a.lan/simple/', 'http://b.lan:81/simple/'])).toEqual({ PIP_TRUSTED_HOST: 'a.lan b.lan:81' });
  });
});
