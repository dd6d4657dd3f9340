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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    indexUrl: 'http://index.invalid/simple/',
    extraIndexUrls: ['http://extra.invalid/simple/'],
    setup: [],
    env: { FARM_STEP: 'from-config' },
    pathPrepend: [],
    buildRequires: [],
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    repair: true,
    outDir: path.join(dir, 'out'),
    ...overrides,
  };
}

describe('build.py', () => {
  it('runs setup steps, then pip wheel with the index options, and records the wheel in result.json', async () => {
    const marker = path.join(dir, 'setup-ran');
    const run = await runDriver(
      'build.py',
      buildConfig({ setup: [{ argv: ['touch', marker], asRoot: false, env: {} }] }),
      { FAKE_WHEELS: 'demo-1.0-py3-none-any.whl' },
    );
    expect(run.code).toBe(0);
    await expect(readFile(marker)).resolves.toBeDefined();
    expect(run.calls).toHaveLength(1);
    expect(run.calls[0]!.argv).toEqual([
      '-m', 'pip', 'wheel', '--no-deps', '--progress-bar', 'off', '--wheel-dir', path.join(dir, 'out', 'raw'),
      '--index-url', 'http://index.invalid/simple/', '--extra-index-url', 'http://extra.invalid/simple/',
      path.join(dir, 'demo-1.0.tar.gz'),
    ]);
    expect(run.calls[0]!.env['FARM_STEP']).toBe('from-config');
    const result = JSON.parse(await readFile(path.join(dir, 'out', 'result.json'), 'utf8')) as unknown;
    expect(result).toEqual({ wheel: 'demo-1.0-py3-none-any.whl', repaired: false, built: 'demo-1.0-py3-none-any.whl' });
    expect(await readdir(path.join(dir, 'out', 'final'))).toEqual(['demo-1.0-py3-none-any.whl']);
    expect(run.stdout).toContain('# farm: pure-Python wheel: nothing to repair');
  });

  it('stops at the first failing setup step with its exit status, before pip runs', async () => {
    const run = await runDriver('build.py', buildConfig({ setup: [{ argv: ['sh', '-c', 'exit 7'], asRoot: false, env: {} }] }));
    expect(run.code).toBe(7);
    expect(run.calls).toEqual([]);
    expect(run.stdout).toContain('# farm: setup step failed with exit status 7');
  });

  it('refuses a root step when it does not run as root', async () => {
    if (process.getuid?.() === 0) return; // as root the step simply runs
    const run = await runDriver('build.py', buildConfig({ setup: [{ argv: ['true'], asRoot: true, env: {} }] }));
    expect(run.code).toBe(126);
  });

  it("exits with pip wheel's status when the build fails", async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEEL_EXIT: '1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('# farm: pip wheel failed with exit status 1');
  });

  it('exits 3 unless pip wheel produced exactly one wheel', async () => {
    const run = await runDriver('build.py', buildConfig(), { FAKE_WHEELS: 'a-1.0-py3-none-any.whl,b-1.0-py3-none-any.whl' });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('expected one wheel from pip wheel');
  });

  it("keeps the linux_* tag of a non-pure wheel when the image has no auditwheel", async () => {
    const wheel = 'demo-1.0-cp311-cp311-linux_x86_64.whl';
    const run = await runDriver('build.py', buildConfig({ pathPrepend: [path.join(dir, 'empty-bin')] }), {
      FAKE_WHEELS: wheel,
      PATH: '/usr/bin:/bin',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no auditwheel in this image');
    expect(JSON.parse(await readFile(path.join(dir, 'out', 'result.json'), 'utf8'))).toMatchObject({ wheel, repaired: false });
  });

  it("with extra build requirements, installs them plus the sdist's build-system.requires and builds without isolation", async () => {
    // An sdist whose pyproject.toml names its build requirements.
    const src = path.join(dir, 'demo-1.0');
    await mkdir(src);
    await writeFile(path.join(src, 'pyproject.toml'), '[build-system]\nrequires = ["flit_core>=3.2"]\n');
    await new Promise<void>((resolve, reject) =>
      execFile('tar', ['-czf', path.join(dir, 'demo-1.0.tar.gz'), '-C', dir, 'demo-1.0/pyproject.toml'], (e) => (e ? reject(e) : resolve())),
    );
    const run = await runDriver('build.py', buildConfig({ buildRequires: ['cython<3'] }), { FAKE_WHEELS: 'demo-1.0-py3-none-any.whl' });
    expect(run.code).toBe(0);
    const [install, wheel] = run.calls;
    expect(install!.argv.slice(0, 7)).toEqual(['-m', 'pip', 'install', '--progress-bar', 'off', '--target', '/tmp/farm-buildenv']);
    expect(install!.argv.slice(-4)).toEqual(['setuptools', 'wheel', 'cython<3', 'flit_core>=3.2']);
    expect(wheel!.argv).toContain('--no-build-isolation');
    expect(wheel!.env['PYTHONPATH']).toBe('/tmp/farm-buildenv');
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
