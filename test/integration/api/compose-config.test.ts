/**
 * compose.yaml validates with the Compose CLI CI has: the v2 plugin
 * (`docker compose`) when present, else Debian's `docker-compose` 1.29
 * (scripts/setup-host.sh installs it). The resolved file is checked for
 * what the deployment relies on.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** argv prefix of the available Compose CLI. */
async function composeCommand(): Promise<string[]> {
  try {
    await run('docker', ['compose', 'version'], { timeout: 30_000 });
    return ['docker', 'compose'];
  } catch {
    try {
      await run('docker-compose', ['version'], { timeout: 30_000 });
      return ['docker-compose'];
    } catch {
      throw new Error('neither `docker compose` nor `docker-compose` is installed: apt-get install docker-compose');
    }
  }
}

let compose: string[];

async function config(envFile: string): Promise<{ stdout: string }> {
  const [cmd, ...pre] = compose;
  return run(cmd!, [...pre, '--env-file', envFile, '-f', path.join(ROOT, 'compose.yaml'), 'config'], {
    cwd: ROOT,
    timeout: 60_000,
    // Compose reads variables from the environment first: keep the host's out.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' },
  });
}

interface ComposeService {
  image?: string;
  command?: string[];
  volumes?: (string | { source?: string; target?: string; read_only?: boolean })[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: unknown[];
  user?: string;
}

beforeAll(async () => {
  compose = await composeCommand();
});

/** `source:target[:ro]`, the same from Compose v1 (strings, `:rw` spelled out) and v2 (objects). */
function mounts(service: ComposeService): string[] {
  return (service.volumes ?? []).map((v) =>
    typeof v === 'string' ? v.replace(/:rw$/, '') : `${v.source ?? ''}:${v.target ?? ''}${v.read_only === true ? ':ro' : ''}`,
  );
}

describe('compose.yaml', () => {
  it('validates with .env.example and wires the four services', async () => {
    const { stdout } = await config(path.join(ROOT, '.env.example'));
    const resolved = parse(stdout) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
    expect(Object.keys(resolved.services).sort()).toEqual(['api', 'nginx', 'redis', 'worker']);
    const { redis, api, worker, nginx } = resolved.services as Record<string, ComposeService>;

    expect(redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(mounts(redis!).some((m) => m.endsWith(':/data'))).toBe(true);
    expect(Object.keys(resolved.volumes)).toContain('redis-data');

    expect(api!.command).toEqual(['api']);
    expect(api!.environment?.['REDIS_URL']).toMatch(/^redis:\/\/:.+@redis:6379$/);
    expect(Object.keys(api!.environment ?? {})).toEqual(
      expect.arrayContaining(['FARM_GITHUB_SECRET', 'FARM_GITLAB_TOKEN', 'FARM_GITEA_SECRET', 'FARM_ADMIN_TOKEN']),
    );

    expect(worker!.command).toEqual(['worker']);
    expect(mounts(worker!)).toEqual(expect.arrayContaining(['/var/run/docker.sock:/var/run/docker.sock', '/srv/farm:/srv/farm']));
    expect(worker!.environment?.['REDIS_URL']).toBe(api!.environment?.['REDIS_URL']);

    expect(mounts(nginx!).some((m) => /nginx\/farm\.conf:\/etc\/nginx\/conf\.d\/default\.conf:ro$/.test(m))).toBe(true);
    expect(mounts(nginx!)).toContain('/srv/farm:/srv/farm:ro');
    // nginx/farm.conf listens on 8080 and serves root /srv/farm.
    expect(nginx!.ports).toEqual([expect.objectContaining({ target: 8080 })]);
    // No secret is baked into the file: only .env.example's placeholders came through.
    expect(stdout).not.toMatch(/FARM_GITHUB_SECRET: [^'\s]/);
  });

  it('refuses to run without a Redis password', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'farm-compose-'));
    try {
      const env = path.join(dir, 'env');
      await writeFile(env, 'FARM_ROOT=/srv/farm\n');
      await expect(config(env)).rejects.toThrow(/REDIS_PASSWORD/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
