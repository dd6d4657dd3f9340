/**
 * Redis across the internet: TLS with a CA and a client certificate the test
 * makes with openssl, an ACL user with a password, on a redis-server the test
 * starts. The right settings carry BullMQ jobs; each wrong one fails at once
 * with a message naming what is wrong and the setting that fixes it, never
 * by hanging.
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ConfigError, HostError } from '../../../src/errors.js';
import { redisOptions } from '../../../src/redis/redis-connection.js';
import { checkRedis } from '../../../src/redis/check-redis.js';
import type { RedisSecurity } from '../../../src/redis/redis-security.js';
import { cleanEnv, runFarm } from '../cli/support/farm-process.js';
import { startTlsRedis, type TlsRedis } from '../../support/tls-redis.js';

let redis: TlsRedis;

beforeAll(async () => {
  redis = await startTlsRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const options = (url: string, security: RedisSecurity) => redisOptions(url, security);

const good = (): RedisSecurity => ({ tls: { ca: redis.ca, cert: redis.clientCert, key: redis.clientKey } });

/** checkRedis's HostError, and how long it took. */
async function failure(url: string, security: RedisSecurity): Promise<{ error: HostError; ms: number }> {
  const start = Date.now();
  const error = await checkRedis(options(url, security), 5000).then(
    () => {
      throw new Error('expected the check to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HostError);
  return { error: error as HostError, ms: Date.now() - start };
}

describe('Redis over TLS with a client certificate and an ACL user', () => {
  it('carries BullMQ jobs with the right CA, certificate and password', async () => {
    const connection = options(redis.url, good());
    await checkRedis(connection);
    const queue = new Queue('tls-check', { connection, prefix: 'farm-tls-it' });
    const done = new Promise<unknown>((resolve) => {
      const worker = new Worker('tls-check', async (job) => `got ${String(job.data.n)}`, { connection, prefix: 'farm-tls-it' });
      worker.on('completed', (_job, value) => void worker.close().then(() => resolve(value)));
    });
    await queue.add('x', { n: 42 });
    expect(await done).toBe('got 42');
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('a wrong CA fails at once: the certificate is not trusted, set redis.tls.ca', async () => {
    const { error, ms } = await failure(redis.url, { tls: { ca: redis.wrongCa, cert: redis.clientCert, key: redis.clientKey } });
    expect(error.message).toMatch(/^Redis at rediss:\/\/127\.0\.0\.1:\d+: its TLS certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN/);
    expect(error.hint).toMatch(/redis\.tls\.ca \(or REDIS_TLS_CA\)/);
    expect(ms).toBeLessThan(5000);
  });

  it('a wrong password fails at once and says so, without printing it', async () => {
    const url = `rediss://${redis.user}:not-it@127.0.0.1:${redis.port}`;
    const { error } = await failure(url, good());
    expect(error.message).toMatch(/the user name or password was refused \(WRONGPASS/);
    expect(`${error.message} ${error.hint ?? ''}`).not.toContain('not-it');
  });

  it('no password: the server needs one', async () => {
    const { error } = await failure(`rediss://127.0.0.1:${redis.port}`, good());
    expect(error.message).toMatch(/password|NOAUTH|WRONGPASS/);
  });

  it('no client certificate: the server closes the connection, and the hint names redis.tls.cert', async () => {
    const { error } = await failure(redis.url, { tls: { ca: redis.ca } });
    expect(error.message).toMatch(/^Redis at rediss:\/\/127\.0\.0\.1:\d+: /);
    // With TLS 1.3 the refusal comes after the handshake: depending on timing
    // the client reads the server's alert (certificate required) or only a
    // reset. Both answers name the two settings.
    expect(error.hint).toMatch(/client certificate.*redis\.tls\.cert and redis\.tls\.key/);
  });

  it('a redis:// URL to the TLS port fails at once and points at rediss://', async () => {
    const { error, ms } = await failure(`redis://${redis.user}:${redis.password}@127.0.0.1:${redis.port}`, {});
    expect(`${error.message} ${error.hint ?? ''}`).toMatch(/rediss:\/\//);
    expect(ms).toBeLessThan(6000);
  });

  it('a password file works like the password in the URL; a missing file is named', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${redis.dir}/password`;
    await writeFile(file, `${redis.password}\n`, { mode: 0o600 });
    await checkRedis(options(`rediss://${redis.user}@127.0.0.1:${redis.port}`, { ...good(), passwordFile: file }));
    expect(() => options(redis.url, { ...good(), passwordFile: `${redis.dir}/nope` })).toThrow(/nope: no such file/);
  });

  it('config: redis.tls with a redis:// URL, or a cert without its key, is refused', () => {
    expect(() => parseConfig('redis: { url: "redis://h:6379", tls: { ca: ca.pem } }', 'farm.config.yaml')).toThrow(ConfigError);
    expect(() => parseConfig('redis: { url: "rediss://h:6379", tls: { cert: c.pem } }', 'farm.config.yaml')).toThrow(/cert and redis.tls.key go together/);
    const config = parseConfig('redis: { url: "rediss://h:6379", tls: { ca: ca.pem } }', '/etc/farm/farm.config.yaml', { REDIS_TLS_CERT: '/run/secrets/c.pem', REDIS_TLS_KEY: '/run/secrets/k.pem' }, '/etc/farm');
    expect(config.redis.tls).toEqual({ ca: '/etc/farm/ca.pem', cert: '/run/secrets/c.pem', key: '/run/secrets/k.pem' });
  });

  it('farm worker with a wrong CA exits at start (status 2) with the reason, and farm workers with the right one answers', async () => {
    const env = (ca: string) => cleanEnv({ REDIS_URL: redis.url, REDIS_TLS_CA: ca, REDIS_TLS_CERT: redis.clientCert, REDIS_TLS_KEY: redis.clientKey, FARM_REDIS_PREFIX: 'farm-tls-it' });
    const start = Date.now();
    const worker = await runFarm(['worker', '--targets', 'glibc-x86_64'], { env: env(redis.wrongCa) });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/^error: Redis at rediss:\/\/127\.0\.0\.1:\d+: its TLS certificate is not trusted/m);
    expect(worker.stderr).toMatch(/^hint: set redis\.tls\.ca \(or REDIS_TLS_CA\)/m);
    expect(worker.stderr).not.toContain(redis.password);
    expect(Date.now() - start).toBeLessThan(60_000);
    const workers = await runFarm(['workers'], { env: env(redis.ca) });
    expect(workers.stderr).toBe('');
    expect(workers.code).toBe(0);
  });
});
