import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { InputFileError, MissingFileError, UnreadableInputError } from '../../../src/errors.js';
import { fsRequirementsSource, MAX_REQUIREMENTS_BYTES } from '../../../src/requirements/fs-requirements-source.js';
import { parseRequirementsFile } from '../../../src/requirements/requirements-file.js';

describe('fsRequirementsSource', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'farm-requirements-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'requirements.txt'), 'a\n-r sub/more.txt\n');
    await writeFile(join(dir, 'sub', 'more.txt'), 'b\n-r missing.txt\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads files and reports a missing include at its line', async () => {
    const error = await parseRequirementsFile(join(dir, 'requirements.txt'), fsRequirementsSource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).file).toBe(join(dir, 'sub', 'more.txt'));
    expect((error as InputFileError).line).toBe(2);
    expect((error as InputFileError).reason).toMatch(/cannot read requirements file .*missing\.txt: ENOENT/);
  });

  it('throws MissingFileError for a missing top file', async () => {
    await expect(parseRequirementsFile(join(dir, 'nope.txt'), fsRequirementsSource)).rejects.toBeInstanceOf(MissingFileError);
  });
});

// Issue 14, point 16: only regular files under a size limit are read.
describe('fsRequirementsSource refuses what is not a requirements file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'farm-requirements-odd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/dev/urandom', '/dev/zero'])('%s is refused at once as a device', async (device) => {
    const started = performance.now();
    const error = await parseRequirementsFile(device, fsRequirementsSource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableInputError);
    expect((error as Error).message).toMatch(/not a regular file \(a device\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a FIFO is refused instead of waited on', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await parseRequirementsFile(fifo, fsRequirementsSource).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/a FIFO/);
  });

  it('a file over the limit is refused; an include of one is reported at its line', async () => {
    const big = join(dir, 'big.txt');
    await writeFile(big, Buffer.alloc(MAX_REQUIREMENTS_BYTES + 10, 'a'));
    await expect(parseRequirementsFile(big, fsRequirementsSource)).rejects.toThrow(/larger than 4 MiB/);
    await writeFile(join(dir, 'top.txt'), 'six\n-r big.txt\n');
    const error = await parseRequirementsFile(join(dir, 'top.txt'), fsRequirementsSource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as InputFileError).line).toBe(2);
    expect((error as InputFileError).reason).toMatch(/larger than 4 MiB/);
  });

  it('-r /dev/zero inside a file is reported at its line', async () => {
    await writeFile(join(dir, 'zero.txt'), 'six\n-r /dev/zero\n');
    const error = await parseRequirementsFile(join(dir, 'zero.txt'), fsRequirementsSource).catch((e: unknown) => e);
    expect((error as InputFileError).line).toBe(2);
    expect((error as InputFileError).reason).toMatch(/not a regular file/);
  });
});
