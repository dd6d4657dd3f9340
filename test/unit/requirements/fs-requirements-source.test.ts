import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFileError, MissingFileError } from '../../../src/errors.js';
import { fsRequirementsSource } from '../../../src/requirements/fs-requirements-source.js';
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
