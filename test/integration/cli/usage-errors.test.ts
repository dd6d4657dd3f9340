import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runFarm } from './support/farm-process.js';

// The real `farm` process, as a shell runs it: usage and config errors exit 2
// with a clear message and no stack trace, before any service is touched.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-usage-'));
  await writeFile(path.join(dir, 'requirements.txt'), 'farm-demo-hello\n');
  await writeFile(
    path.join(dir, 'farm.config.yaml'),
    ['root: /tmp/farm-cli-never-used', 'docker:', '  hosts:', '    - name: local', '      url: unix:///var/run/docker.sock', '      concurrency: 0', ''].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('farm exits 2 on usage and config errors', () => {
  it('--targets glibc-sparc lists the valid targets', async () => {
    const r = await runFarm(['build', 'requirements.txt', '--targets', 'glibc-sparc'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown target 'glibc-sparc'; valid targets: glibc-x86_64, glibc-aarch64, glibc-armv7, musl-x86_64, musl-aarch64, musl-armv7\n",
    );
    expect(r.stdout).toBe('');
  });

  it('a missing requirements file is named', async () => {
    const r = await runFarm(['build', 'requirements.txt', 'nope/requirements-dev.txt', '--targets', 'glibc-x86_64'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: nope\/requirements-dev\.txt: no such file\nhint: /);
  });

  it('an invalid config (./farm.config.yaml) names the dotted path and line', async () => {
    const r = await runFarm(['build', 'requirements.txt', '--targets', 'glibc-x86_64'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${path.join(dir, 'farm.config.yaml')}: invalid\n  docker.hosts.0.concurrency: Too small: expected number to be >=1 (line 6)\n`,
    );
  });

  // Issue 14, point 14: an alias in the config is a config error (exit 2), not "a bug in farm".
  it('a YAML alias to nothing in the config is a config error with its line', async () => {
    const aliased = await mkdtemp(path.join(tmpdir(), 'farm-cli-alias-'));
    try {
      await writeFile(path.join(aliased, 'farm.config.yaml'), '# farm\nroot: *a\n');
      const r = await runFarm(['index'], { cwd: aliased });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: .*farm\.config\.yaml: invalid\n {2}\(root\): line 2: .*alias/);
      expect(r.stderr).not.toMatch(/bug in farm|ReferenceError|\n\s+at /);
    } finally {
      await rm(aliased, { recursive: true, force: true });
    }
  });

  it('an invalid REDIS_URL is reported like a config key', async () => {
    const r = await runFarm(['doctor'], { cwd: tmpdir(), env: cleanEnv({ REDIS_URL: 'http://nope' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ {2}redis\.url: expected a redis:\/\/ URL$/m);
  });

  it('an unknown flag is a usage error pointing at the command help', async () => {
    const r = await runFarm(['logs', 'abc', '--tail'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--tail'\nhint: see 'farm logs --help'\n");
  });
});
