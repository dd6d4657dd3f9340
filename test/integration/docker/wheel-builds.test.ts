/**
 * Real builds in the offline bootstrap builder images: a C-extension sdist
 * becomes a wheel through the executor on glibc-x86_64, glibc-armv7 (qemu)
 * and musl-x86_64, and the compiled code is checked for the target's CPU and
 * C library. Also: a nasty package name reaches the real pip as one argument.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCacheVolume } from '../../../src/docker/cache-volume.js';
import { buildContainerSpec, type BuildStepInput } from '../../../src/docker/container-spec.js';
import { runContainer, type OutputStream } from '../../../src/docker/run-container.js';
import { bootstrapImages } from '../../../src/images/bootstrap-images.js';
import { bootstrapImageName, interpreterPath } from '../../../src/images/image-names.js';
import { TARGETS, type Target } from '../../../src/targets/catalog.js';
import {
  TEST_CACHE_PREFIX,
  containersOf,
  docker,
  removeContainersOf,
  removeDir,
  removeVolumes,
  testWorkerId,
  worldWritableTempDir,
} from './support/docker-test-kit.js';
import { EF_ARM_ABI_FLOAT_HARD, EM, parseElf } from './support/elf.js';
import { FIXTURE_SDIST, writeFixtureSdist } from './support/fixture-sdist.js';
import { readZip } from './support/zip.js';

const PYTHON = '3.11';
const python = interpreterPath(PYTHON);
const workerId = testWorkerId('wheels');

interface Expectation {
  target: Target;
  machine: number;
  bits: 32 | 64;
  /** The C library the extension must NEED, and the one it must not. */
  libc: string;
  notLibc: RegExp;
  /** The loader the image's interpreter is linked against. */
  loader: string;
  wheelPlatform: string;
}

const CASES: Expectation[] = [
  {
    target: TARGETS.get('glibc-x86_64')!,
    machine: EM.X86_64,
    bits: 64,
    libc: 'libc.so.6',
    notLibc: /musl/,
    loader: '/lib64/ld-linux-x86-64.so.2',
    wheelPlatform: 'linux_x86_64',
  },
  {
    target: TARGETS.get('glibc-armv7')!,
    machine: EM.ARM,
    bits: 32,
    libc: 'libc.so.6',
    notLibc: /musl/,
    loader: '/lib/ld-linux-armhf.so.3',
    wheelPlatform: 'linux_armv7l',
  },
  {
    target: TARGETS.get('musl-x86_64')!,
    machine: EM.X86_64,
    bits: 64,
    libc: 'libc.musl-x86_64.so.1',
    notLibc: /^libc\.so\.6$/,
    loader: '/lib/ld-musl-x86_64.so.1',
    wheelPlatform: 'linux_x86_64',
  },
];

/**
 * The offline builder images, from the images area's `bootstrapImages`:
 * skipped in seconds when present with the same recipe, built (minutes) on a
 * fresh machine.
 */
async function ensureBuilderImage(target: Target): Promise<void> {
  await bootstrapImages({ targets: [target.id], python: [PYTHON] });
  await docker.getImage(bootstrapImageName(target.id, PYTHON)).inspect();
}

let dir: string;
let inputDir: string;
const volumes = CASES.map((c) => `${TEST_CACHE_PREFIX}${c.target.id}`);

beforeAll(async () => {
  dir = await worldWritableTempDir('wheels');
  inputDir = path.join(dir, 'in');
  await mkdir(inputDir);
  await writeFixtureSdist(inputDir);
  await chmod(path.join(inputDir, FIXTURE_SDIST), 0o644);
});

afterAll(async () => {
  await removeContainersOf(workerId);
  await removeVolumes(...volumes);
  await removeDir(dir);
});

function collector() {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  return {
    onOutput: (stream: OutputStream, chunk: Buffer) => chunks[stream].push(Buffer.from(chunk)),
    text: (stream: OutputStream) => Buffer.concat(chunks[stream]).toString('utf8'),
  };
}

async function outputDir(label: string): Promise<string> {
  const out = path.join(dir, label);
  await mkdir(out);
  await chmod(out, 0o777);
  return out;
}

function step(target: Target, argv: string[], extra: Partial<BuildStepInput> = {}) {
  return buildContainerSpec(
    { image: bootstrapImageName(target.id, PYTHON), platform: target.platform, argv, ...extra },
    { jobId: `wheel-${target.id}`, workerId, targetId: target.id, network: 'none', cacheVolumePrefix: TEST_CACHE_PREFIX },
  );
}

/** Python's repr of a string holding both quote kinds: single-quoted, `'` and `\` escaped. */
function pythonRepr(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Imports the built wheel in the image and copies the interpreter binary out, for its ELF loader. */
const VERIFY_PROGRAM = [
  'import glob, os, shutil, subprocess, sys',
  'wheel = glob.glob("/wheels/*.whl")[0]',
  'subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--target", "/tmp/site", wheel], check=True)',
  'sys.path.insert(0, "/tmp/site")',
  'import farmdemo',
  'print("ADD=%d" % farmdemo.add(40, 2))',
  'print("DESCRIBE=" + farmdemo.describe())',
  'shutil.copy(os.path.realpath(sys.executable), "/out/interpreter")',
].join('\n');

describe.each(CASES)('a C-extension sdist on $target.id', (expected) => {
  const { target } = expected;
  beforeAll(() => ensureBuilderImage(target));

  it(
    'builds into a wheel whose .so is for the target CPU and libc, and that imports in the image',
    async () => {
      await ensureCacheVolume(docker, {
        targetId: target.id,
        image: bootstrapImageName(target.id, PYTHON),
        platform: target.platform,
        workerId,
        prefix: TEST_CACHE_PREFIX,
        logPath: path.join(dir, 'logs', `${target.id}-cache.log`),
      });

      const wheels = await outputDir(`wheels-${target.id}`);
      const build = collector();
      const result = await runContainer(
        docker,
        step(
          target,
          [python, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '-w', '/out', `/in/${FIXTURE_SDIST}`],
          { inputs: [{ hostPath: inputDir, containerPath: '/in' }], output: { hostPath: wheels } },
        ),
        { logPath: path.join(dir, 'logs', `${target.id}-build.log`), timeoutMs: 20 * 60_000, onOutput: build.onOutput, package: 'farmdemo==0.1.0' },
      );
      expect(result.exitCode, build.text('stderr') + build.text('stdout')).toBe(0);

      const built = await readdir(wheels);
      expect(built).toEqual([`farmdemo-0.1.0-cp311-cp311-${expected.wheelPlatform}.whl`]);
      const files = await readZip(path.join(wheels, built[0]!));
      const sos = [...files.keys()].filter((name) => name.endsWith('.so'));
      expect(sos).toHaveLength(1);
      const elf = parseElf(files.get(sos[0]!)!);
      expect(elf.type).toBe(3);
      expect(elf.machine).toBe(expected.machine);
      expect(elf.bits).toBe(expected.bits);
      expect(elf.littleEndian).toBe(true);
      if (expected.machine === EM.ARM) expect(elf.flags & EF_ARM_ABI_FLOAT_HARD).toBe(EF_ARM_ABI_FLOAT_HARD);
      expect(elf.needed).toContain(expected.libc);
      expect(elf.needed.filter((lib) => expected.notLibc.test(lib))).toEqual([]);

      // The wheel works where it was built, and the interpreter it was built by uses the target's loader.
      const check = await outputDir(`check-${target.id}`);
      const verify = collector();
      const verified = await runContainer(
        docker,
        step(target, [python, '-c', VERIFY_PROGRAM], {
          inputs: [{ hostPath: wheels, containerPath: '/wheels' }],
          output: { hostPath: check },
        }),
        { logPath: path.join(dir, 'logs', `${target.id}-verify.log`), timeoutMs: 10 * 60_000, onOutput: verify.onOutput },
      );
      expect(verified.exitCode, verify.text('stderr')).toBe(0);
      expect(verify.text('stdout')).toContain('ADD=42');
      expect(verify.text('stdout')).toContain(`DESCRIBE=farmdemo built with ${expected.bits}-bit longs`);
      const interpreter = parseElf(await readFile(path.join(check, 'interpreter')));
      expect(interpreter.machine).toBe(expected.machine);
      expect(interpreter.interpreter).toBe(expected.loader);
      expect(await containersOf(workerId)).toEqual([]);
    },
  );
});

describe('argv safety with the real pip', () => {
  const NASTY = `x; touch /tmp/pwned $(id) \`id\` | && > '"`;
  const glibc = TARGETS.get('glibc-x86_64')!;
  beforeAll(() => ensureBuilderImage(glibc));

  it.each([
    // pip splits "name; marker" itself and quotes the marker part, unexpanded.
    ['the brief\'s name', NASTY, `Invalid marker: ${pythonRepr(`touch /tmp/pwned $(id) \`id\` | && > '"`)}`],
    // Without a ";" pip quotes the whole argument.
    ['a name without ";"', `x $(id) \`id\` | && > '"`, `Invalid requirement: ${pythonRepr(`x $(id) \`id\` | && > '"`)}`],
  ])('%s reaches pip as one argument, unchanged, and no shell runs it', async (_name, nasty, quoted) => {
    const out = await outputDir(`pip-argv-${Math.random().toString(36).slice(2, 8)}`);
    const hostPwnedBefore = existsSync('/tmp/pwned');
    const output = collector();
    // The program receives the argv, prints it as JSON, runs pip with it and
    // reports whether anything touched /tmp/pwned inside the container.
    const program = [
      'import json, os, subprocess, sys',
      'print("ARGV=" + json.dumps(sys.argv[1:]))',
      'r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-index", "--find-links", "/nonexistent", "-d", "/tmp/dl"] + sys.argv[1:])',
      'print("PIP_EXIT=%d" % r.returncode)',
      'print("PWNED=" + json.dumps(os.path.exists("/tmp/pwned")))',
    ].join('\n');
    const viaProgram = await runContainer(docker, step(glibc, [python, '-c', program, nasty], { cache: false }), {
      logPath: path.join(dir, 'logs', 'pip-argv.log'),
      timeoutMs: 5 * 60_000,
      onOutput: output.onOutput,
    });
    expect(viaProgram.exitCode).toBe(0);
    const stdout = output.text('stdout');
    expect(stdout).toContain(`ARGV=${JSON.stringify([nasty])}`);
    expect(stdout).toMatch(/PIP_EXIT=[1-9]/);
    expect(stdout).toContain('PWNED=false');
    expect(output.text('stderr')).toContain(quoted);

    // And pip as the container's own command, nothing in between.
    const direct = collector();
    const pip = await runContainer(
      docker,
      step(glibc, [python, '-m', 'pip', 'download', '--no-index', '--find-links', '/nonexistent', '-d', '/out', nasty], {
        cache: false,
        output: { hostPath: out },
      }),
      { logPath: path.join(dir, 'logs', 'pip-argv-direct.log'), timeoutMs: 5 * 60_000, onOutput: direct.onOutput },
    );
    expect(pip.exitCode).not.toBe(0);
    expect(direct.text('stderr')).toContain(quoted);
    expect(await readdir(out)).toEqual([]);
    expect(existsSync('/tmp/pwned')).toBe(hostPwnedBefore);
  });
});
