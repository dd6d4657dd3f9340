import { describe, expect, it } from 'vitest';
import { describeRedisFailure } from '../../../src/redis/redis-failure.js';

describe('describeRedisFailure', () => {
  it.each([
    ['rediss://h:6380', 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', /not trusted/, /redis\.tls\.ca/],
    ['rediss://h:6380', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', /not trusted/, /redis\.tls\.ca/],
    ['rediss://h:6380', 'CERT_HAS_EXPIRED', 'certificate has expired', /not valid now/, /renew/],
    ['rediss://h:6380', 'ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", /another name/, /servername/],
    ['rediss://h:6380', undefined, 'WRONGPASS invalid username-password pair or user is disabled.', /password was refused/, /passwordFile/],
    ['rediss://h:6380', undefined, 'NOAUTH Authentication required.', /needs a password/, /rediss:\/\/:password@/],
    ['rediss://h:6380', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required', /refused this client's certificate/, /redis\.tls\.cert/],
    ['rediss://h:6380', 'ECONNRESET', 'read ECONNRESET', /closed the connection/, /client certificate/],
    ['redis://h:6380', 'ECONNRESET', 'read ECONNRESET', /closed the connection/, /rediss:\/\//],
    ['rediss://h:6379', 'ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', /does not speak TLS/, /redis:\/\//],
    ['redis://h:6379', 'ECONNREFUSED', 'connect ECONNREFUSED', /cannot reach it/, /redis-server runs/],
    ['rediss://h:6379', 'ETIMEDOUT', 'connect ETIMEDOUT', /no answer in time/, /does not speak TLS/],
  ])('%s %s', (where, code, message, said, hint) => {
    const failure = describeRedisFailure(where, code, message);
    expect(failure.message).toMatch(new RegExp(`^Redis at ${where.replace(/[/.]/g, '\\$&')}: `));
    expect(failure.message).toMatch(said);
    expect(failure.hint).toMatch(hint);
  });
});
