import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyContainerOutput, readContainerOutput, UnsafeOutputError } from '../../../src/files/container-output.js';

let dir: string;
let out: string;
const SECRET = 'host secret\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-output-'));
  out = path.join(dir, 'out');
  await mkdir(path.join(out, 'final'), { recursive: true });
  await mkdir(path.join(dir, 'elsewhere'));
  await writeFile(path.join(dir, 'secret'), SECRET);
  await writeFile(path.join(dir, 'elsewhere', 'x-1.0-py3-none-any.whl'), SECRET);
  await writeFile(path.join(out, 'result.json'), '{"wheel":"x-1.0-py3-none-any.whl"}');
  await writeFile(path.join(out, 'final', 'x-1.0-py3-none-any.whl'), 'wheel bytes');
  await symlink(path.join(dir, 'secret'), path.join(out, 'link.json'));
  await symlink(path.join(dir, 'secret'), path.join(out, 'final', 'link-1.0-py3-none-any.whl'));
  await symlink(path.join(dir, 'elsewhere'), path.join(out, 'swapped'));
  await mkdir(path.join(out, 'adir'));
  execFileSync('mkfifo', [path.join(out, 'fifo.json')]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refusal = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UnsafeOutputError);
  return (error as Error).message;
};

describe('container outputs are read without following symlinks (issue 14, point 7)', () => {
  it('reads regular files and copies a wheel to a host path', async () => {
    expect(await readContainerOutput(out, 'result.json')).toBe('{"wheel":"x-1.0-py3-none-any.whl"}');
    const dest = path.join(dir, 'copy.whl');
    await copyContainerOutput(out, 'final/x-1.0-py3-none-any.whl', dest);
    expect(await readFile(dest, 'utf8')).toBe('wheel bytes');
  });

  it.each([
    ['link.json', /link\.json: a symlink/],
    ['final/link-1.0-py3-none-any.whl', /a symlink/],
    ['swapped/x-1.0-py3-none-any.whl', /swapped: a symlink, not a directory/],
    ['fifo.json', /not a regular file/],
    ['adir', /a directory/],
    ['missing.json', /missing/],
    ['../secret', /not a plain relative path/],
  ])('refuses %s', async (relative, message) => {
    expect(await refusal(readContainerOutput(out, relative))).toMatch(message);
  });

  it('copies nothing when the file is a symlink', async () => {
    const dest = path.join(dir, 'never.whl');
    await refusal(copyContainerOutput(out, 'final/link-1.0-py3-none-any.whl', dest));
    await expect(readFile(dest)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a file larger than the limit', async () => {
    expect(await refusal(readContainerOutput(out, 'result.json', 10))).toMatch(/more than 10/);
  });
});
