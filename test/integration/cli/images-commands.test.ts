/**
 * `farm images bootstrap` twice from the command line: the second run builds
 * nothing and says so; `farm images list` then shows the images present.
 */
import { describe, expect, it } from 'vitest';
import { cleanEnv, runFarm } from './support/farm-process.js';

const TARGETS = 'glibc-x86_64,musl-x86_64';

describe('farm images', () => {
  it('bootstrap skips present images and says there was nothing to do', async () => {
    const first = await runFarm(['images', 'bootstrap', '--targets', TARGETS], { env: cleanEnv() });
    expect(first.code, first.stderr).toBe(0);
    const second = await runFarm(['images', 'bootstrap', '--targets', TARGETS], { env: cleanEnv() });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^\[glibc-x86_64\] farm\/builder-glibc-x86_64:bootstrap-py3\.11: skipped: present/m);
    expect(second.stdout).toMatch(/^nothing to do: all \d+ images are present and up to date \(--force rebuilds\)$/m);
  });

  it('list shows each target with its image, source and presence', async () => {
    const r = await runFarm(['images', 'list', '--targets', TARGETS, '--json'], { env: cleanEnv() });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { target: string; image: string; source: string; present: boolean }[];
    expect(rows.map((row) => [row.target, row.image, row.source, row.present])).toEqual([
      ['glibc-x86_64', 'farm/builder-glibc-x86_64:bootstrap-py3.11', 'bootstrap', true],
      ['musl-x86_64', 'farm/builder-musl-x86_64:bootstrap-py3.11', 'bootstrap', true],
    ]);
    const table = await runFarm(['images', 'list', '--targets', 'glibc-x86_64'], { env: cleanEnv() });
    expect(table.stdout).toMatch(/^glibc-x86_64\s+farm\/builder-glibc-x86_64:bootstrap-py3\.11\s+bootstrap\s+3\.11\s+yes$/m);
  });
});
