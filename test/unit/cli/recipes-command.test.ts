import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { memoryIo } from './support/memory-io.js';

// `farm recipes check|show` in-process: files only, no services.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-recipes-'));
  await writeFile(path.join(dir, 'lxml.yaml'), 'name: lxml\npackages:\n  apt: libxml2-dev\nbogus: 1\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function farm(...argv: string[]) {
  const io = memoryIo({ cwd: dir, env: {} });
  const code = await runCli(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('farm recipes', () => {
  it('check passes on the shipped recipes', async () => {
    const r = await farm('recipes', 'check');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/recipes\/: \d+ recipe files, \d+ valid, 0 problems\n$/);
  });

  it('check reports every problem of a user directory as file: dotted.path: message, and exits 1', async () => {
    const r = await farm('recipes', 'check', '--dir', '.');
    expect(r.code).toBe(1);
    const file = path.join(dir, 'lxml.yaml');
    expect(r.out).toContain(`${file}: packages.apt: `);
    expect(r.out).toContain(`${file}: Unrecognized key: "bogus" (line 1)`);
    expect(r.out).toMatch(/1 recipe file, 0 valid, 2 problems\n$/);
  });

  it('show prints the effective recipe with its source and hash', async () => {
    const r = await farm('recipes', 'show', 'Pillow', '--target', 'musl-x86_64', '--version', '10.4.0');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^# pillow 10\.4\.0 on musl-x86_64\n# from: \S+recipes\/pillow\.yaml\n# hash: \S+\n/);
    expect(r.out).toMatch(/^ {2}apk:\n/m);
  });

  it('show with an unknown target exits 2', async () => {
    const r = await farm('recipes', 'show', 'pillow', '--target', 'glibc-sparc', '--version', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: unknown target 'glibc-sparc'; valid targets:/);
  });
});
