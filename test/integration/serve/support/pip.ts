import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { addWheels } from '../../../../src/publishing/add-wheels.js';
import { yank } from '../../../../src/publishing/yank.js';
import { writeWheel } from '../../repository/support/make-wheel.js';

const run = promisify(execFile);

/**
 * The environment pip runs with: none of the host's PIP_* settings (this
 * machine sets PIP_FIND_LINKS, for one), no config files, no proxies, so the
 * only place pip can find anything is the index under test.
 */
export function pipEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^PIP_/i.test(key) || /_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

/** A real pip to install with, and the Python that sees what it installed. */
export interface PipInstaller {
  /** Runs `pip <args>` (for `install`, into the isolated location); returns its output, throws with it on failure. */
  pip(args: string[]): Promise<string>;
  /** Runs Python code where the installed packages are importable; returns stdout. */
  python(code: string): Promise<string>;
}

/**
 * The host's pip in isolation: a `python3 -m venv` (pip from ensurepip,
 * offline), or where the venv module is missing (Debian without
 * python3-venv), the host's `python3 -m pip` installing with `--target`.
 */
export async function makePipInstaller(dir: string): Promise<PipInstaller> {
  try {
    await run('python3', ['-m', 'venv', dir], { env: pipEnv(), timeout: 180_000 });
    const bin = (name: string) => path.join(dir, 'bin', name);
    return {
      pip: (args) => exec(bin('python'), ['-m', 'pip', ...args]),
      python: (code) => exec(bin('python'), ['-c', code]),
    };
  } catch {
    const target = path.join(dir, 'site');
    const env = { ...pipEnv(), PYTHONPATH: target };
    return {
      pip: (args) => exec('python3', ['-m', 'pip', ...(args[0] === 'install' ? ['install', '--target', target, ...args.slice(1)] : args)]),
      python: (code) => exec('python3', ['-c', code], env),
    };
  }
}

async function exec(file: string, args: string[], env: NodeJS.ProcessEnv = pipEnv()): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
}

interface JsonFile {
  filename: string;
  hashes: { sha256: string };
}

/**
 * A `--require-hashes` requirements file pinning `name==version` for each
 * pin, with the sha256 the index publishes (read from its PEP 691 JSON).
 */
export async function requirementsFromIndex(indexUrl: string, pins: readonly [string, string][], file: string): Promise<void> {
  const lines: string[] = [];
  for (const [name, version] of pins) {
    const response = await fetch(`${indexUrl}${name}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
    if (!response.ok) throw new Error(`${indexUrl}${name}/: ${response.status}`);
    const page = (await response.json()) as { files: JsonFile[] };
    const hashes = page.files.filter((f) => f.filename.includes(`-${version}-`)).map((f) => `--hash=sha256:${f.hashes.sha256}`);
    if (hashes.length === 0) throw new Error(`no ${name} ${version} in the index`);
    lines.push(`${name}==${version} ${hashes.join(' ')}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * A repository pip has something to choose in: `farm-app` depends on
 * `farm_lib`; `farm-lib` 2.0 is yanked and 3.0 needs Python 4, so pip must
 * settle on 1.1.
 */
export async function buildPipFixture(root: string, work: string): Promise<void> {
  await addWheels({
    root,
    repository: 'glibc',
    paths: [
      writeWheel(work, { name: 'farm_app', version: '1.0', requiresDist: ['farm_lib>=1.0'], requiresPython: '>=3.8' }),
      writeWheel(work, { name: 'Farm_Lib', version: '1.0' }),
      writeWheel(work, { name: 'Farm_Lib', version: '1.1', summary: 'the one pip should pick' }),
      writeWheel(work, { name: 'Farm_Lib', version: '2.0' }),
      writeWheel(work, { name: 'Farm_Lib', version: '3.0', requiresPython: '>=4' }),
    ],
  });
  await yank({ root, repository: 'glibc', project: 'farm-lib', version: '2.0', reason: 'broken on purpose' });
}
