/**
 * The repository commands as a user runs them: `farm add` a wheel, drop
 * another into packages/ by hand and `farm index`, `farm yank`, then
 * `farm serve` and a real pip installing from it.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runFarm, startFarm } from './support/farm-process.js';

const run = promisify(execFile);
const DEBIAN_WHEELS = '/usr/share/python-wheels';
let dir: string;
let root: string;
let wheelFile: string;
let setuptoolsFile: string;
let server: ChildProcess | undefined;

const env = () => cleanEnv({ FARM_ROOT: root });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-repo-'));
  root = path.join(dir, 'root');
  const wheels = await readdir(DEBIAN_WHEELS);
  wheelFile = wheels.find((f) => f.startsWith('wheel-'))!;
  setuptoolsFile = wheels.find((f) => f.startsWith('setuptools-'))!;
  await mkdir(path.join(dir, 'in'));
  await copyFile(path.join(DEBIAN_WHEELS, wheelFile), path.join(dir, 'in', wheelFile));
});

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const closed = new Promise((r) => server!.once('close', r));
    server.kill('SIGINT');
    await closed;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('farm add, index, yank, serve', () => {
  it('farm add collects a wheel and indexes it', async () => {
    const r = await runFarm(['add', 'in', '--repo', 'glibc'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^added\\s+${wheelFile.replace(/\./g, '\\.')}$`, 'm'));
    expect(r.stdout).toMatch(/^glibc: 1 added, 0 unchanged, 0 rejected$/m);
  });

  // Issue 14, point 2: a published wheel overwritten by hand makes `farm index --full` exit 1.
  it('farm index --full reports a published wheel overwritten by hand and exits 1', async () => {
    const published = path.join(root, 'glibc', 'packages', wheelFile.toLowerCase());
    const saved = path.join(dir, 'saved.whl');
    await copyFile(published, saved);
    await copyFile(path.join(DEBIAN_WHEELS, setuptoolsFile), published);
    const r = await runFarm(['index', '--repo', 'glibc', '--full'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}changed {2}\S+: .+ \(kept out of the index; restore the file or farm add --replace\)$/m);
    await copyFile(saved, published);
    const again = await runFarm(['index', '--repo', 'glibc', '--full'], { cwd: dir, env: env() });
    expect(again.code, again.stdout).toBe(0);
  });

  it('farm index takes over a wheel copied into packages/ by hand, and reports a bad one without deleting it', async () => {
    await copyFile(path.join(DEBIAN_WHEELS, setuptoolsFile), path.join(root, 'glibc', 'packages', setuptoolsFile));
    const bad = 'evil-1.0-py3-none-any.whl';
    await copyFile(path.join(DEBIAN_WHEELS, wheelFile), path.join(root, 'glibc', 'packages', bad));
    const r = await runFarm(['index'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^ {2}adopted {2}${setuptoolsFile.replace(/\./g, '\\.')}$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}rejected evil-1\.0-py3-none-any\.whl: .+ \(left in place, not indexed\)$/m);
    expect(await readdir(path.join(root, 'glibc', 'packages'))).toContain(bad);
    await rm(path.join(root, 'glibc', 'packages', bad));
    expect((await runFarm(['index', '--repo', 'glibc', '--full'], { cwd: dir, env: env() })).code).toBe(0);
  });

  it('farm yank marks the release; an unknown one is a failure, not a usage error', async () => {
    const version = wheelFile.split('-')[1]!;
    const r = await runFarm(['yank', 'wheel', version, '--reason', 'testing yank'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^glibc: yanked ${wheelFile.replace(/\./g, '\\.')}$`, 'm'));
    const missing = await runFarm(['yank', 'wheel', '99.0'], { cwd: dir, env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: wheel 99\.0: not in any repository/m);
    const back = await runFarm(['unyank', 'wheel', version], { cwd: dir, env: env() });
    expect(back.stdout).toMatch(/^glibc: unyanked /m);
  });

  it('farm serve serves the index and pip installs from it with --extra-index-url', async () => {
    server = startFarm(['serve', '--port', '0'], { cwd: dir, env: env() });
    let out = '';
    server.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (url === undefined && Date.now() < deadline) {
      url = /^farm serve: \S+ at (http:\/\/\S+\/) /m.exec(out)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, out).toBeDefined();
    expect(out).toContain(`pip install --extra-index-url ${url}glibc/simple/ <package>`);

    const venv = path.join(dir, 'venv');
    await run('python3', ['-m', 'venv', '--without-pip', venv]);
    // The Debian pip wheel runs from its own file; it installs into the venv.
    const pip = [path.join(DEBIAN_WHEELS, (await readdir(DEBIAN_WHEELS)).find((f) => f.startsWith('pip-'))!), 'pip'].join('/');
    const install = await run(
      path.join(venv, 'bin', 'python'),
      [pip, 'install', '--no-cache-dir', '--index-url', 'http://127.0.0.1:9/nothing/', '--extra-index-url', `${url}glibc/simple/`, 'wheel'],
      { env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' }, timeout: 120_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`pip failed:\n${error.stdout}\n${error.stderr}`);
    });
    expect(install.stdout).toMatch(/Successfully installed wheel-/);
    // The same through the environment, as Poetry/uv-driven pip calls and CI jobs set it.
    const viaEnv = await run(
      path.join(venv, 'bin', 'python'),
      [pip, 'install', '--no-cache-dir', '--force-reinstall', '--index-url', 'http://127.0.0.1:9/nothing/', 'wheel'],
      {
        env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_EXTRA_INDEX_URL: `${url}glibc/simple/` },
        timeout: 120_000,
      },
    );
    expect(viaEnv.stdout).toMatch(/Successfully installed wheel-/);
    // The access log shows what pip asked for.
    expect(out).toMatch(/ GET \/glibc\/simple\/wheel\/ 200 application\/vnd\.pypi\.simple\.v1\+json /);
  });
});
