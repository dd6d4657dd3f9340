/**
 * A redis-server of the test's own, speaking only TLS on a random port, with
 * certificates the test makes with openssl: a CA, the server's certificate
 * (for 127.0.0.1 and localhost), a client certificate (the server requires
 * one: `tls-auth-clients yes`), and a second CA nobody uses, to show what a
 * wrong CA does. The default user is off; an ACL user with a password is the
 * way in. Never the shared Redis on 6379.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsRedis {
  /** `rediss://<user>:<password>@127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** PEM files. */
  readonly ca: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here. */
  readonly wrongCa: string;
  readonly dir: string;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 60_000 });
}

/** Makes the CA, server and client certificates in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  const days = ['-days', '2'];
  for (const ca of ['ca', 'wrong-ca']) {
    await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, ...days, '-subj', `/CN=farm test ${ca}`]);
  }
  await writeFile(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=farm test ${who}`]);
    await openssl(dir, ['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, ...days, '-extfile', `${who}.ext`]);
  }
}

/** Starts the server; resolves once it accepts connections. */
export async function startTlsRedis(options: { keyPattern?: string } = {}): Promise<TlsRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'farm-tls-redis-'));
  await makeCertificates(dir);
  const port = await freePort();
  const user = 'farm-worker';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const file = (name: string) => path.join(dir, name);
  const args = [
    '--port', '0',
    '--tls-port', String(port),
    '--bind', '127.0.0.1',
    '--tls-cert-file', file('server.crt'),
    '--tls-key-file', file('server.key'),
    '--tls-ca-cert-file', file('ca.crt'),
    '--tls-auth-clients', 'yes',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    // The redis.conf lines deploy/README.md documents: no default user, one ACL user per worker host.
    '--user', 'default', 'off',
    '--user', user, 'on', `>${password}`, options.keyPattern ?? '~*', '&*', '+@all', '-@admin',
  ];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `rediss://${user}:${password}@127.0.0.1:${port}`,
    port,
    user,
    password,
    ca: file('ca.crt'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    wrongCa: file('wrong-ca.crt'),
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
