/**
 * Why a Redis connection failed, in words a user can act on. ioredis reports
 * the cause as an 'error' event (a TLS verification code, WRONGPASS,
 * ECONNREFUSED) and then rejects with "Connection is closed."; this maps the
 * cause to a message and the setting to fix. Pure.
 */

/** The failure as told to the user. */
export interface RedisFailure {
  readonly message: string;
  readonly hint: string;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * `where`: the server as `rediss://host:port` (never with the password).
 * `code` and `message`: the cause ioredis reported.
 */
export function describeRedisFailure(where: string, code: string | undefined, message: string): RedisFailure {
  const said = `${code ?? ''} ${message}`.trim();
  const at = `Redis at ${where}`;
  if (code !== undefined && UNTRUSTED.has(code)) {
    return {
      message: `${at}: its TLS certificate is not trusted (${said})`,
      hint: "set redis.tls.ca (or REDIS_TLS_CA) to the CA file that signed the server's certificate",
    };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { message: `${at}: its TLS certificate is not valid now (${said})`, hint: "renew the server's certificate (tls-cert-file in redis.conf)" };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      message: `${at}: its TLS certificate is for another name (${said})`,
      hint: "use the host name the certificate names in the URL, or set redis.tls.servername",
    };
  }
  if (/^WRONGPASS/.test(message)) {
    return { message: `${at}: the user name or password was refused (${said})`, hint: 'check the password (in the URL, or redis.passwordFile) and the ACL user (redis://user:password@host)' };
  }
  if (/^NOAUTH/.test(message)) {
    return { message: `${at}: the server needs a password (${said})`, hint: 'put it in the URL (rediss://:password@host:port) or in redis.passwordFile' };
  }
  if (/^NOPERM/.test(message)) {
    return { message: `${at}: the ACL user may not run what farm needs (${said})`, hint: 'grant it the commands and keys deploy/README.md lists (ACL SETUSER ...)' };
  }
  if (code !== undefined && /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE/.test(code)) {
    return {
      message: `${at}: the server refused this client's certificate (${said})`,
      hint: 'the server wants a client certificate its CA signed: redis.tls.cert and redis.tls.key (REDIS_TLS_CERT, REDIS_TLS_KEY)',
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return {
      message: `${at}: the server closed the connection (${said})`,
      hint: where.startsWith('rediss://')
        ? 'the server may want a client certificate (redis.tls.cert and redis.tls.key), or not speak TLS on this port'
        : 'a TLS port needs a rediss:// URL',
    };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message)) {
    return { message: `${at}: the server does not speak TLS on this port (${said})`, hint: 'use a redis:// URL, or the tls-port of redis.conf' };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
    return { message: `${at}: cannot reach it (${said})`, hint: 'check the host and port of REDIS_URL, and that redis-server runs' };
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return {
      message: `${at}: no answer in time (${said})`,
      hint: where.startsWith('rediss://') ? 'a firewall, or a server that does not speak TLS on this port' : 'a firewall, or a TLS port (use rediss://)',
    };
  }
  return { message: `${at}: cannot connect (${said})`, hint: 'check REDIS_URL and redis.tls in farm.config.yaml' };
}
