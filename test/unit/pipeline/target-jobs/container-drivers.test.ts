/**
 * The Python container drivers, run on the host with python3: the control
 * flow of build.py and smoke.py (setup steps, pip's command lines, exit
 * statuses, result.json) against a stand-in interpreter that records what it
 * is asked to do, and smoke.py against the real pip with a real wheel. No
 * Docker: inside containers they are exercised by the integration tests.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  containerDriverPath,
  type BuildDriverConfig,
  type SmokeDriverConfig,
} from '../../../../src/pipeline/target-jobs/drivers/container-drivers.js';
import { makePureWheel } from '../../../support/upstream/make-wheel.js';

const FAKE_PYTHON = fileURLToPath(new URL('./support/fake-python.py', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../fixtures/packages/', import.meta.url));
/** Debian's interpreter: starts in a fraction of the time a version manager's shim takes. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Run {
  code: number;
  stdout: string;
  calls: { argv: string[]; env: Record<string, string | null> }[];
}

// Each test starts Python processes: on a loaded 2-core machine that alone can pass the default 5 s.
vi.setConfig({ testTimeout: 60_000 });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-drivers-'));
  await chmod(FAKE_PYTHON, 0o755);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function runDriver(driver: 'build.py' | 'smoke.py', config: object, env: Record<string, string> = {}): Promise<Run> {
  const configFile = path.join(dir, `${driver}.json`);
  const log = path.join(dir, 'calls.jsonl');
  await writeFile(configFile, JSON.stringify(config));
  await writeFile(log, '');
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(PYTHON, [containerDriverPath(driver), configFile], { env: { ...process.env, FAKE_LOG: log, ...env } }, (error, out) =>
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout: out }),
    );
  });
  const calls = (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Run['calls'][number]);
  return { code, stdout, calls };
}

function buildConfig(overrides: Partial<BuildDriverConfig> = {}): BuildDriverConfig {
  return {
    python: FAKE_PYTHON,
    sdist: path.join(dir, 'demo-1.0.tar.gz'),
    buildDeps: ['/repo/setuptools-68.0-py3-none-any.whl', '/repo/helper-1.0-cp311-cp311-linux_x86_64.whl'],
    env: { FARM_STEP: 'from-config' },
    pathPrepend: [],
    network: false,
    externalLibraries: ['libc.so.6'],
    runtimePackages: [],
    outDir: path.join(dir, 'out'),
    workDir: path.join(dir, 'work'),
    ...overrides,
  };
}

const readResult = async () => JSON.parse(await readFile(path.join(dir, 'out', 'result.json'), 'utf8')) as Record<string, unknown>;

describe('build.py', () => {
  it('installs exactly the planned build dependencies, then builds with that environment, offline', async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEELS: 'demo-1.0-py3-none-any.whl' });
    expect(run.code).toBe(0);
    const env = path.join(dir, 'work', 'env', 'bin', 'python');
    expect(run.calls.map((c) => c.argv)).toEqual([
      ['-m', 'venv', '--without-pip', path.join(dir, 'work', 'env')],
      ['-m', 'pip', '--python', env, 'install', '--no-index', '--no-deps', '--progress-bar', 'off', '--', '/repo/setuptools-68.0-py3-none-any.whl', '/repo/helper-1.0-cp311-cp311-linux_x86_64.whl'],
      ['-m', 'pip', '--python', env, 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '--verbose', '--progress-bar', 'off', '--wheel-dir', path.join(dir, 'out', 'raw'), '--', path.join(dir, 'demo-1.0.tar.gz')],
    ]);
    const wheel = run.calls[2]!;
    expect(wheel.env['FARM_STEP']).toBe('from-config');
    // The network is off: requests go to farm's refusing proxy on loopback.
    expect(wheel.env['HTTP_PROXY']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await readResult()).toEqual({ wheel: 'demo-1.0-py3-none-any.whl', built: 'demo-1.0-py3-none-any.whl', repair: 'none', networkAttempts: [] });
    expect(await readdir(path.join(dir, 'out', 'final'))).toEqual(['demo-1.0-py3-none-any.whl']);
    expect(run.stdout).toContain('# farm: pure-Python wheel: nothing to repair');
  });

  it('leaves the network alone when the recipe turned it on', async () => {
    const run = await runDriver('build.py', buildConfig({ network: true }), { FAKE_WHEELS: 'demo-1.0-py3-none-any.whl' });
    expect(run.code).toBe(0);
    expect(run.calls[2]!.env['HTTP_PROXY']).toBeNull();
  });

  it('names what a build with the network off tried to fetch', async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_FETCH: 'http://deb.example/pool/libfoo-1.2.tar.gz', FAKE_WHEEL_EXIT: '1' });
    expect(run.code).toBe(1);
    expect((await readResult())['networkAttempts']).toEqual(['http://deb.example/pool/libfoo-1.2.tar.gz']);
    expect(run.stdout).toContain('# farm: the build tried to reach the network, which is off while a package compiles: http://deb.example/pool/libfoo-1.2.tar.gz');
  });

  it("stops when the build dependencies don't install, before pip wheel", async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_INSTALL_EXIT: '2' });
    expect(run.code).toBe(2);
    expect(run.calls.map((c) => c.argv[2] === '--python' ? c.argv[4] : c.argv[1])).toEqual(['venv', 'install']);
    expect(run.stdout).toContain("installing the build dependencies from farm's repository failed with exit status 2");
  });

  it("exits with pip wheel's status when the build fails, and still writes result.json", async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEEL_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('# farm: pip wheel failed with exit status 1');
    expect(await readResult()).toEqual({ wheel: null, built: null, repair: null, networkAttempts: [] });
  });

  it('exits 3 unless pip wheel produced exactly one wheel', async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEELS: 'a-1.0-py3-none-any.whl,b-1.0-py3-none-any.whl' });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('expected one wheel from pip wheel');
  });

  it('a compiled wheel without auditwheel and without shared libraries beyond the base system needs nothing vendored', async () => {
    const wheel = 'demo-1.0-cp311-cp311-linux_x86_64.whl';
    const run = await runDriver('build.py', buildConfig({ pathPrepend: [path.join(dir, 'empty-bin')] }), { FAKE_WHEELS: wheel, PATH: '/usr/bin:/bin' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing to vendor');
    expect(await readResult()).toMatchObject({ wheel, repair: 'none' });
  });

  it("never reads the sdist's own build requirements: an option there can't reach pip (issue 14, point 9)", async () => {
    const src = path.join(dir, 'demo-1.0');
    await mkdir(src);
    await writeFile(path.join(src, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools", "--index-url=http://127.0.0.1:9/evil/simple/"]\n');
    await new Promise<void>((resolve, reject) =>
      execFile('tar', ['-czf', path.join(dir, 'demo-1.0.tar.gz'), '-C', dir, 'demo-1.0/pyproject.toml'], (e) => (e ? reject(e) : resolve())),
    );
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEELS: 'demo-1.0-py3-none-any.whl' });
    expect(run.code).toBe(0);
    for (const call of run.calls) {
      expect(call.argv.join(' ')).not.toContain('evil');
      // Whatever follows `--` is a requirement or a path, never an option.
      const options = call.argv.indexOf('--') === -1 ? call.argv : call.argv.slice(0, call.argv.indexOf('--'));
      expect(options.filter((a) => a.startsWith('--index-url'))).toEqual([]);
    }
  });
});

describe('smoke.py', () => {
  function smokeConfig(overrides: Partial<SmokeDriverConfig> = {}): SmokeDriverConfig {
    return { python: FAKE_PYTHON, wheel: '/in/wheel/demo-1.0-py3-none-any.whl', findLinks: ['/repo', '/in/wheel'], indexUrls: [], modules: ['demo', 'demo_ext'], site: path.join(dir, 'site'), ...overrides };
  }

  it('installs from the find-links directories only, then imports each module in a fresh interpreter', async () => {
    const run = await runDriver('smoke.py', smokeConfig());
    expect(run.code).toBe(0);
    expect(run.calls.map((c) => c.argv)).toEqual([
      ['-m', 'pip', 'install', '--progress-bar', 'off', '--target', path.join(dir, 'site'), '--no-index', '--find-links', '/repo', '--find-links', '/in/wheel', '/in/wheel/demo-1.0-py3-none-any.whl'],
      ['-c', expect.stringContaining('importlib.import_module'), path.join(dir, 'site'), 'demo'],
      ['-c', expect.stringContaining('importlib.import_module'), path.join(dir, 'site'), 'demo_ext'],
    ]);
    expect(run.stdout).toContain('# farm: smoke test: passed');
  });

  it("on a remote worker: the served index is pip's only index, the new wheel a find-links directory", async () => {
    const run = await runDriver(
      'smoke.py',
      smokeConfig({ findLinks: ['/in/wheel'], indexUrls: ['http://farm.lan:8000/glibc/simple/'], modules: [] }),
    );
    expect(run.code).toBe(0);
    expect(run.calls[0]!.argv).toEqual([
      '-m', 'pip', 'install', '--progress-bar', 'off', '--target', path.join(dir, 'site'),
      '--index-url', 'http://farm.lan:8000/glibc/simple/', '--find-links', '/in/wheel', '/in/wheel/demo-1.0-py3-none-any.whl',
    ]);
  });

  it('fails on the first module that does not import', async () => {
    const run = await runDriver('smoke.py', smokeConfig(), { FAKE_FAIL_IMPORT: 'demo' });
    expect(run.code).toBe(1);
    expect(run.calls).toHaveLength(2);
    expect(run.stdout).toContain('# farm: smoke test: import demo failed');
  });

  it('fails when the wheel or a dependency does not install', async () => {
    const run = await runDriver('smoke.py', smokeConfig(), { FAKE_INSTALL_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.calls).toHaveLength(1);
  });

  it('passes a real wheel with the real pip, and fails it when a module is missing', async () => {
    const wheels = path.join(dir, 'wheels');
    await mkdir(wheels);
    const { filename } = await makePureWheel(path.join(FIXTURES, 'farmfix-purewheel'), wheels, PYTHON);
    const config = smokeConfig({ python: PYTHON, wheel: path.join(wheels, filename), findLinks: [wheels], modules: ['farmfix_purewheel'] });
    const ok = await runDriver('smoke.py', config);
    expect(ok.stdout).toContain('import farmfix_purewheel: ok');
    expect(ok.code).toBe(0);
    const missing = await runDriver('smoke.py', { ...config, site: path.join(dir, 'site2'), modules: ['farmfix_not_there'] });
    expect(missing.code).not.toBe(0);
  }, 60_000);
});
