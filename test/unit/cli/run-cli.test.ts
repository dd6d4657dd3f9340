import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { memoryIo } from './support/memory-io.js';

// In-process runs of the whole CLI for the paths that need no services:
// every usage and config error must exit 2 before anything is started.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-unit-'));
  await writeFile(path.join(dir, 'requirements.txt'), 'markupsafe\n');
  await writeFile(path.join(dir, 'bad.yaml'), 'docker:\n  hosts:\n    - name: local\n      url: http://localhost:2375\npython: ["3.11", "three"]\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const io = memoryIo({ cwd: dir, env: {} });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('usage errors exit 2 with a pip-style message', () => {
  it.each<[string[], RegExp[]]>([
    [['build', 'requirements.txt', '--targets', 'glibc-sparc'], [/^error: unknown target 'glibc-sparc'; valid targets: glibc-x86_64, glibc-aarch64, glibc-armv7, musl-x86_64, musl-aarch64, musl-armv7$/m]],
    [['build', 'missing.txt', '--targets', 'glibc-x86_64'], [/^error: missing\.txt: no such file$/m, /^hint: /m]],
    [['build', 'requirements.txt', 'other.txt', '--targets', 'glibc-x86_64'], [/^error: other\.txt: no such file$/m]],
    [['build', 'requirements.txt', '--targets', 'glibc-x86_64', '--bogus'], [/^error: unknown option '--bogus'$/m, /^hint: see 'farm build --help'$/m]],
    [['build', '--targets', 'glibc-x86_64'], [/^error: missing required argument 'requirements'$/m]],
    [['build', 'requirements.txt', '--targets', 'glibc-x86_64', '--python', 'three'], [/^error: --python: 'three' is not a Python version/m]],
    [['build', 'requirements.txt', '--targets', 'glibc-x86_64', '--index-url', 'nope'], [/^error: --index-url: 'nope' is not a URL/m]],
    [['build', 'requirements.txt'], [/^error: no targets: pass --targets/m, /^hint: .*valid targets: glibc-x86_64/m]],
    [['build', 'requirements.txt', '--targets', 'glibc-x86_64', '--no-wait'], [/^error: --no-wait needs a shared Redis/m]],
    [['frobnicate'], [/^error: unknown command 'frobnicate'$/m, /^hint: see 'farm --help'$/m]],
    [['status', 'a', 'b'], [/^error: too many arguments for 'status'/m]],
    [['worker', '--targets', 'glibc-x86_64'], [/^error: farm worker needs a shared Redis/m, /^hint: set REDIS_URL/m]],
    [['worker', '--targets', 'nope'], [/^error: unknown target 'nope'/m]],
    [['doctor', '--targets', 'glibc-sparc'], [/^error: unknown target 'glibc-sparc'; valid targets:/m]],
    [['logs', 'req1', 'x', '--target', 'glibc-sparc'], [/^error: unknown target 'glibc-sparc'/m]],
    [['images', 'bootstrap', '--targets', 'glibc-sparc'], [/^error: unknown target 'glibc-sparc'/m]],
    [['images', 'frob'], [/^error: unknown command 'frob'$/m, /^hint: see 'farm images --help'$/m]],
    [['images', 'pull', '--bogus'], [/^error: unknown option '--bogus'$/m, /^hint: see 'farm images pull --help'$/m]],
    [['serve', '--port', 'http'], [/^error: --port: 'http' is not a port number/m]],
    [['add', 'x.whl'], [/^error: required option '-r, --repo <name>' not specified$/m]],
    [['recipes', 'show', 'pillow', '--target', 'glibc-x86_64'], [/^error: required option '-v, --version <version>' not specified$/m]],
    [['api'], [/^error: farm api needs the farm's shared Redis$/m, /^hint: set REDIS_URL/m]],
    [['workers'], [/^error: farm workers needs the farm's shared Redis$/m, /^hint: set REDIS_URL/m]],
    [['schedule', 'run', 'nightly'], [/^error: farm schedule needs the farm's shared Redis$/m]],
    [['retry', 'req1', '--no-wait'], [/^error: --no-wait needs a shared Redis/m]],
  ])('farm %j', async (argv, patterns) => {
    const { code, stderr, stdout } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    for (const pattern of patterns) expect(stderr).toMatch(pattern);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an invalid config exits 2 naming every dotted path and its line', async () => {
    const { code, stderr } = await run('build', 'requirements.txt', '--targets', 'glibc-x86_64', '--config', 'bad.yaml');
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${path.join(dir, 'bad.yaml')}: invalid`);
    expect(stderr).toMatch(/^ {2}docker\.hosts\.0\.url: expected unix:\/\/, tcp:\/\/ or ssh:\/\/ URL \(line 4\)$/m);
    expect(stderr).toMatch(/^ {2}python\.1: expected a Python version like "3\.11" \(line 5\)$/m);
  });

  it('FARM_CONFIG is honoured and --config overrides it', async () => {
    const io = memoryIo({ cwd: dir, env: { FARM_CONFIG: 'bad.yaml' } });
    expect(await runCli(['doctor'], io)).toBe(2);
    expect(io.stderr).toMatch(/docker\.hosts\.0\.url/);
    const io2 = memoryIo({ cwd: dir, env: { FARM_CONFIG: 'bad.yaml' } });
    expect(await runCli(['build', 'requirements.txt', '--targets', 'glibc-x86_64', '--no-wait', '--config', 'none.yaml'], io2)).toBe(2);
    expect(io2.stderr).toMatch(/none\.yaml: no such file/);
  });
});

describe('help', () => {
  it.each([
    ['build'], ['status'], ['logs'], ['cancel'], ['retry'], ['worker'], ['doctor'], ['index'], ['add'], ['yank'], ['unyank'], ['show'],
    ['serve'], ['images'], ['images list'], ['images bootstrap'], ['images pull'], ['recipes'], ['recipes check'],
    ['recipes show'], ['api'], ['schedule'], ['schedule list'], ['schedule run'], ['schedule pause'], ['schedule resume'],
    ['tokens'], ['tokens create'], ['tokens list'], ['tokens revoke'], ['workers'],
  ])('farm %s --help shows examples and exits 0', async (command) => {
    const { code, stdout } = await run(...command.split(' '), '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: farm ${command}`, 'm'));
    expect(stdout).toMatch(new RegExp(`^Examples:\\n {2}\\$ .*farm ${command}`, 'm'));
  });

  it('every command is covered by the help test above', async () => {
    const { stdout } = await run('--help');
    const commands = [...stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]);
    expect(commands).toEqual(['build', 'status', 'cancel', 'retry', 'logs', 'worker', 'workers', 'index', 'add', 'yank', 'unyank', 'show', 'serve', 'images', 'recipes', 'doctor', 'api', 'schedule', 'tokens', 'help']);
  });

  it('farm with no command prints the help and exits 2', async () => {
    const { code, stderr } = await run();
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Usage: farm /m);
  });

  it('farm --version prints the version', async () => {
    const { code, stdout } = await run('--version');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
