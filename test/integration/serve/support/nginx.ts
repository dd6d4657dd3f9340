import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The shipped config. */
export const FARM_CONF = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../nginx/farm.conf');

/** A free loopback port (bound and released; nginx takes it right after). */
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

export interface RunningNginx {
  readonly url: string;
  readonly accessLog: string;
  readonly errorLog: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's nginx in the foreground with a throw-away main config that
 * includes the shipped `nginx/farm.conf`, changed only in its two "site:"
 * lines (listen address and root).
 */
export async function startNginx(prefix: string, root: string): Promise<RunningNginx> {
  const port = await freePort();
  const shipped = fs.readFileSync(FARM_CONF, 'utf8');
  const listen = /^(\s*)listen 8080;(\s*# site:)/m;
  const rootLine = /^(\s*)root \/srv\/farm;(\s*# site:)/m;
  if (!listen.test(shipped) || !rootLine.test(shipped)) throw new Error('nginx/farm.conf: the "site:" lines changed');
  const site = shipped.replace(listen, `$1listen 127.0.0.1:${port};$2`).replace(rootLine, `$1root ${root};$2`);
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, 'farm.conf'), site);
  const accessLog = path.join(prefix, 'access.log');
  const errorLog = path.join(prefix, 'error.log');
  const temp = (name: string) => path.join(prefix, name);
  fs.writeFileSync(
    path.join(prefix, 'nginx.conf'),
    [
      // Workers read the test's 0700 temp directories.
      'user root;',
      'worker_processes 1;',
      'daemon off;',
      `pid ${temp('nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 64; }',
      'http {',
      `  log_format farm_test '$request_method $request_uri $status accept="$http_accept" type="$sent_http_content_type"';`,
      `  access_log ${accessLog} farm_test;`,
      `  client_body_temp_path ${temp('body')}; proxy_temp_path ${temp('proxy')}; fastcgi_temp_path ${temp('fastcgi')};`,
      `  uwsgi_temp_path ${temp('uwsgi')}; scgi_temp_path ${temp('scgi')};`,
      `  include ${path.join(prefix, 'farm.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('nginx', ['-c', path.join(prefix, 'nginx.conf'), '-p', `${prefix}/`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    if (spawnError !== undefined) {
      throw new Error(
        `cannot start nginx (${spawnError.message}); install the test tools with: sudo bash scripts/setup-host.sh --with-test-tools`,
      );
    }
    if (child.exitCode !== null) throw new Error(`nginx exited with status ${child.exitCode}: ${stderr.trim() || '(no output)'}`);
    try {
      await fetch(url);
      break;
    } catch {
      if (i > 100) throw new Error(`nginx did not start: ${stderr}`);
      await sleep(50);
    }
  }
  return {
    url,
    accessLog,
    errorLog,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
