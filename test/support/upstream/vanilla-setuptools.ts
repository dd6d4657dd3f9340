/**
 * Debian's setuptools wheel (python3-setuptools-whl) is patched for Debian's
 * own Python: in the build environment of any other CPython, such as the musl
 * bootstrap image's, it fails with `AttributeError: install_layout`. The test
 * index therefore serves an unpatched setuptools: the one CPython bundles for
 * ensurepip, taken from the musl bootstrap image (built from Debian's CPython
 * sources) or from the host's Python when that has the bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The image that bundles a vanilla setuptools wheel, and where. */
const IMAGE = 'farm/builder-musl-x86_64:bootstrap-py3.11';
const BUNDLE = '/opt/python/cp311-cp311/lib/python3.11/ensurepip/_bundled';

async function fromImage(dest: string): Promise<string | undefined> {
  const name = `farm-pipeline-fixture-setuptools-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await run('docker', ['create', '--name', name, IMAGE, 'true'], { timeout: 60_000 });
  } catch {
    return undefined; // No such image here.
  }
  try {
    await run('docker', ['cp', `${name}:${BUNDLE}/.`, dest], { timeout: 60_000 });
    return (await readdir(dest)).find((f) => /^setuptools-.*\.whl$/.test(f));
  } catch {
    return undefined;
  } finally {
    await run('docker', ['rm', '-f', name]).catch(() => {});
  }
}

async function fromHostPython(dest: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('python3', ['-c', 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))']);
    const dir = stdout.trim();
    const wheel = (await readdir(dir)).find((f) => /^setuptools-.*\.whl$/.test(f));
    if (wheel === undefined) return undefined;
    await run('cp', [path.join(dir, wheel), dest]);
    return wheel;
  } catch {
    return undefined;
  }
}

/**
 * Path of an unpatched setuptools wheel copied into a temp dir, or undefined
 * when none is available here (then only Debian's Pythons can build).
 */
export async function vanillaSetuptoolsWheel(): Promise<{ file: string; cleanup(): Promise<void> } | undefined> {
  const dest = await mkdtemp(path.join(tmpdir(), 'farm-pipeline-setuptools-'));
  const wheel = (await fromImage(dest)) ?? (await fromHostPython(dest));
  if (wheel === undefined) {
    await rm(dest, { recursive: true, force: true });
    return undefined;
  }
  return { file: path.join(dest, wheel), cleanup: () => rm(dest, { recursive: true, force: true }) };
}
