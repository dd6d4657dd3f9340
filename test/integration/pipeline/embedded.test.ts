/**
 * Embedded mode: without REDIS_URL, `farm build` starts a private
 * redis-server on a unix socket in the state dir, runs the workers in-process
 * and stops everything on exit, also when interrupted. A farm killed with
 * SIGKILL can't clean up; its Redis is stopped by the next farm that starts
 * on the same state dir.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedSocketPath } from '../../../src/redis/embedded-redis.js';
import { docker, eventually, randomId, removeVolumes, startUpstream, wheelsIn, type TestUpstream } from './helpers.js';

const volumePrefix = `farm-pipeline-it-${randomId()}-`;
const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

let up: TestUpstream;
let configFile: string;
let socket: string;
let root: string;

/** PIDs of redis-server processes serving `socketPath`. */
async function redisServersOn(socketPath: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // redis-server rewrites its title to `redis-server unixsocket:<path>`.
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      if (cmdline.includes('redis-server') && cmdline.includes(socketPath)) pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/** True while a container of this test's farm (it uses the test's cache volume) runs. */
async function runningContainer(): Promise<boolean> {
  return (await docker.listContainers({ filters: { label: ['farm.managed=true'], volume: [`${volumePrefix}glibc-x86_64`] } })).length > 0;
}

function farm(args: string[]): { done: Promise<{ code: number | null; signal: string | null; output: string }>; pid: number; kill(s: NodeJS.Signals): void } {
  const env: NodeJS.ProcessEnv = { ...process.env, FARM_CONFIG: configFile };
  delete env['REDIS_URL'];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return {
    pid: child.pid!,
    kill: (s) => child.kill(s),
    done: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output }))),
  };
}

beforeAll(async () => {
  up = await startUpstream();
  root = path.join(up.dir, 'root');
  const stateDir = path.join(up.dir, 'state');
  socket = embeddedSocketPath(stateDir);
  configFile = path.join(up.dir, 'farm.config.yaml');
  await writeFile(
    configFile,
    [
      `root: ${root}`,
      `stateDir: ${stateDir}`,
      'docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }',
      `upstream: { indexUrl: "${up.server.url}/simple/" }`,
      'images: { source: bootstrap }',
      `pipeline: { cacheVolumePrefix: "${volumePrefix}" }`,
    ].join('\n'),
  );
  await writeFile(path.join(up.dir, 'mirror-only.txt'), 'farmfix-purewheel\n');
  await writeFile(path.join(up.dir, 'build.txt'), 'farmfix-cext\n');
  await writeFile(path.join(up.dir, 'build2.txt'), 'farmfix-c\n');
  await writeFile(path.join(up.dir, 'build3.txt'), 'farmfix-x86only\n');
});

afterAll(async () => {
  for (const pid of await redisServersOn(socket)) process.kill(pid, 'SIGKILL');
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('embedded mode (no REDIS_URL)', () => {
  it('farm build runs with a private redis-server and leaves none behind', async () => {
    const run = farm(['build', path.join(up.dir, 'mirror-only.txt'), '--targets', 'glibc-x86_64']);
    const sawRedis = await eventually(async () => (await redisServersOn(socket)).length > 0, 60_000, 100);
    const { code, output } = await run.done;
    expect(sawRedis).toBe(true);
    expect(code, output).toBe(0);
    expect(await wheelsIn(root, 'glibc')).toEqual(['farmfix_purewheel-1.0-py3-none-any.whl']);
    expect(await redisServersOn(socket)).toEqual([]);
  });

  it('an interrupted farm build (SIGINT, SIGTERM) leaves no redis-server behind', async () => {
    for (const [signal, requirements] of [['SIGINT', 'build.txt'], ['SIGTERM', 'build2.txt']] as const) {
      const run = farm(['build', path.join(up.dir, requirements), '--targets', 'glibc-x86_64']);
      // Interrupt it in the middle: Redis up and a container of the request running.
      expect(await eventually(async () => (await redisServersOn(socket)).length > 0 && (await runningContainer()), 120_000, 50)).toBe(true);
      run.kill(signal);
      await run.done;
      expect(await eventually(async () => (await redisServersOn(socket)).length === 0, 10_000, 100)).toBe(true);
    }
  });

  it('a farm killed with SIGKILL: the next farm on that state dir stops its orphaned redis-server', async () => {
    const killed = farm(['build', path.join(up.dir, 'build3.txt'), '--targets', 'glibc-x86_64']);
    // Killed with a container of its request running: that container is orphaned too.
    expect(await eventually(async () => (await redisServersOn(socket)).length > 0 && (await runningContainer()), 120_000, 50)).toBe(true);
    const orphan = await redisServersOn(socket);
    killed.kill('SIGKILL');
    await killed.done;
    expect(await redisServersOn(socket)).toEqual(orphan);
    const next = farm(['build', path.join(up.dir, 'mirror-only.txt'), '--targets', 'glibc-x86_64']);
    const { code, output } = await next.done;
    expect(code, output).toBe(0);
    expect(await redisServersOn(socket)).toEqual([]);
    // The killed farm's containers went with it: the next farm swept them (its private Redis never knew that worker).
    const leftovers = await docker.listContainers({ all: true, filters: { label: ['farm.managed=true'], volume: [`${volumePrefix}glibc-x86_64`] } });
    expect(leftovers.map((c) => c.Names)).toEqual([]);
  });
});
