/**
 * `farm images bootstrap` against the real engine and Debian's mirror: builds
 * (or finds) the glibc-x86_64, glibc-armv7 and musl-x86_64 bootstrap images,
 * checks idempotence, the imported architecture, and that a C extension
 * built in each image is for the target's machine and libc.
 *
 * Prints how long the bootstrap took; on a fresh engine that is the cold
 * bootstrap time of all three images. FARM_TEST_BOOTSTRAP_FORCE=1 rebuilds
 * present images too, to measure the cold time on a warm engine.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapImages, formatProgress, type BootstrapResult, type ImageProgressEvent } from '../../../src/images/index.js';
import { TARGETS } from '../../../src/targets/catalog.js';

const run = promisify(execFile);
const docker = new Docker();
const TARGET_IDS = ['glibc-x86_64', 'glibc-armv7', 'musl-x86_64'] as const;
const image = (id: string) => `farm/builder-${id}:bootstrap-py3.11`;
/** The steps bootstrap reports: the cross toolchain first (an ARM target is in the set), then the targets. */
const STEPS = ['toolchain', ...TARGET_IDS] as const;

let first: BootstrapResult[] = [];
let firstMs = 0;
const events: ImageProgressEvent[] = [];
let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'farm-images-test-'));
  const started = Date.now();
  first = await bootstrapImages({
    targets: [...TARGET_IDS],
    force: process.env['FARM_TEST_BOOTSTRAP_FORCE'] === '1',
    onProgress: (event) => {
      events.push(event);
      if (event.kind !== 'line') console.log(formatProgress(event));
    },
  });
  firstMs = Date.now() - started;
  const built = first.filter((r) => r.status === 'built');
  const summary = first.map((r) => `${r.target}: ${r.status} in ${(r.durationMs / 1000).toFixed(0)} s`).join(', ');
  console.log(
    `bootstrap of ${TARGET_IDS.join(', ')}: ${(firstMs / 1000).toFixed(0)} s` +
      `${built.length === TARGET_IDS.length ? ' (cold: all three built)' : ` (${built.length} built)`} — ${summary}`,
  );
});

afterAll(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

describe('farm images bootstrap', () => {
  it('produces every image, labelled', async () => {
    expect(first.map((r) => r.target)).toEqual([...STEPS]);
    const toolchain = await docker.getImage('farm/cross-toolchain:bootstrap-bookworm').inspect();
    expect(toolchain.Config.Labels).toMatchObject({ 'farm.recipe-hash': first[0]!.recipeHash });
    for (const id of TARGET_IDS) {
      const inspected = await docker.getImage(image(id)).inspect();
      expect(inspected.Config.Labels).toMatchObject({
        'farm.target': id,
        'farm.python': '3.11',
        'farm.source': 'bootstrap',
        'farm.recipe-hash': first.find((r) => r.target === id)!.recipeHash,
      });
    }
  });

  it('shows progress while it builds', () => {
    for (const result of first.filter((r) => r.status === 'built')) {
      const lines = events.filter((e) => e.kind === 'line' && e.target === result.target);
      expect(lines.length).toBeGreaterThan(5);
      expect(events.some((e) => e.kind === 'start' && e.target === result.target)).toBe(true);
    }
  });

  it('a second run does nothing and says so', async () => {
    const second: ImageProgressEvent[] = [];
    const started = Date.now();
    const results = await bootstrapImages({ targets: [...TARGET_IDS], onProgress: (e) => second.push(e) });
    expect(results.map((r) => [r.target, r.status, r.reason])).toEqual(STEPS.map((id) => [id, 'skipped', 'present']));
    expect(results.slice(1).map((r) => r.imageId)).toEqual(
      await Promise.all(TARGET_IDS.map(async (id) => (await docker.getImage(image(id)).inspect()).Id)),
    );
    expect(second.map(formatProgress)).toEqual(
      STEPS.map((id) => expect.stringMatching(new RegExp(`^\\[${id}\\] .*skipped: present`))),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('docker image inspect reports each image’s architecture (arm/v7 for armv7)', async () => {
    const armv7 = await docker.getImage(image('glibc-armv7')).inspect();
    expect(armv7.Architecture).toBe('arm');
    expect((armv7 as { Variant?: string }).Variant).toBe('v7');
    expect((await docker.getImage(image('glibc-x86_64')).inspect()).Architecture).toBe('amd64');
    expect((await docker.getImage(image('musl-x86_64')).inspect()).Architecture).toBe('amd64');
  });
});

/** A one-file C extension project pip can build without network access. */
async function writeFixture(dir: string): Promise<void> {
  await writeFile(
    path.join(dir, 'setup.py'),
    'from setuptools import setup, Extension\n' +
      'setup(name="farm_images_probe", version="1.0", ext_modules=[Extension("farm_images_probe", ["probe.c"])])\n',
  );
  await writeFile(
    path.join(dir, 'probe.c'),
    '#include <Python.h>\n#include <unistd.h>\n' +
      // getpid() makes the extension need the C library itself, not just libpython's symbols.
      'static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(getpid() > 0 ? 42 : 0); }\n' +
      'static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};\n' +
      'static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "farm_images_probe", NULL, -1, methods};\n' +
      'PyMODINIT_FUNC PyInit_farm_images_probe(void) { return PyModule_Create(&module); }\n',
  );
}

async function dockerRun(args: string[]): Promise<string> {
  const name = `farm-images-test-${Math.random().toString(16).slice(2, 10)}`;
  try {
    const { stdout } = await run('docker', ['run', '--rm', '--name', name, ...args], {
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker run failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  } finally {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

describe('the image contract: a C extension built in each image', () => {
  const cases = [
    { id: 'glibc-x86_64', machine: 'Advanced Micro Devices X86-64', libc: 'libc.so.6', interp: '/lib64/ld-linux-x86-64.so.2' },
    { id: 'glibc-armv7', machine: 'ARM', libc: 'libc.so.6', interp: '/lib/ld-linux-armhf.so.3' },
    { id: 'musl-x86_64', machine: 'Advanced Micro Devices X86-64', libc: 'libc.musl-x86_64.so.1', interp: '/lib/ld-musl-x86_64.so.1' },
  ];

  it.each(cases)('$id: pip wheel as uid 1000 gives a $machine extension linked to $libc', async (c) => {
    const platform = TARGETS.get(c.id)!.platform;
    const src = await mkdtemp(path.join(workDir, `src-${c.id}-`));
    const out = await mkdtemp(path.join(workDir, `out-${c.id}-`));
    await writeFixture(src);
    // mkdtemp makes 0700 directories; the build user (uid 1000) reads src and writes out.
    await chmod(workDir, 0o755);
    await chmod(src, 0o755);
    await chmod(out, 0o777);
    const python = '/opt/python/cp311-cp311/bin/python';
    const common = ['--platform', platform, '--user', '1000:1000', '--network', 'none', '-e', 'HOME=/tmp'];

    const built = await dockerRun([
      ...common,
      '-v', `${src}:/fixture:ro`,
      '-v', `${out}:/out`,
      image(c.id),
      // pip builds local directories in place: copy the read-only fixture first.
      'sh', '-c', 'cp -r /fixture /tmp/src && exec "$0" -m pip wheel --no-deps --no-build-isolation --no-index -w /out /tmp/src',
      python,
    ]);
    expect(built).toMatch(/Successfully built farm-images-probe|Successfully built farm_images_probe/);
    const wheels = (await readdir(out)).filter((f) => f.endsWith('.whl'));
    expect(wheels).toHaveLength(1);

    // Unpack and import it in the same image: the extension loads with the image's libc.
    const imported = await dockerRun([
      ...common,
      '-v', `${out}:/out:ro`,
      image(c.id),
      python, '-c',
      'import sys, zipfile, glob; z = zipfile.ZipFile(glob.glob("/out/*.whl")[0]); z.extractall("/tmp/w"); ' +
        'sys.path.insert(0, "/tmp/w"); import farm_images_probe as m; ' +
        'print(m.answer(), [n for n in z.namelist() if n.endswith(".so")][0])',
    ]);
    const [answer, soName] = imported.trim().split(' ');
    expect(answer).toBe('42');

    // ELF header and dynamic section, read by binutils' readelf in the glibc image.
    const elf = await dockerRun([
      '--platform', 'linux/amd64', '--network', 'none',
      '-v', `${out}:/out:ro`,
      image('glibc-x86_64'),
      'sh', '-c', 'cd /tmp && python3 -m zipfile -e /out/*.whl w && readelf -h -d -V "w/$0"',
      soName!,
    ]);
    expect(elf).toMatch(new RegExp(`Machine:\\s+${c.machine}\\s*\\n`));
    const needed = [...elf.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    expect(needed).not.toContain('libc.so');
    if (c.id.startsWith('musl')) {
      expect(needed).toEqual([c.libc]);
      expect(elf).not.toMatch(/GLIBC_2\./);
    } else {
      expect(needed).toContain(c.libc);
      // Versioned references to glibc's symbols (getpid@GLIBC_2.x).
      expect(elf).toMatch(/Name: GLIBC_2\.\d+/);
    }

    // The interpreter the extension runs under asks for the target's loader.
    const interp = await dockerRun([
      ...common,
      image(c.id),
      'sh', '-c', 'readelf -l "$0" | grep "program interpreter"', python,
    ]);
    expect(interp).toContain(`[Requesting program interpreter: ${c.interp}]`);
  });
});
