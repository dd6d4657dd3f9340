import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, MissingFileError } from '../../../src/errors.js';
import { loadConfig, parseConfig, stateDir } from '../../../src/config/load-config.js';
import { targetSettings } from '../../../src/config/target-settings.js';
import { getTarget } from '../../../src/targets/parse-targets.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('needs no file: defaults run a single-host farm against PyPI', () => {
    const config = parseConfig(undefined, 'defaults');
    expect(config.root).toBe('/srv/farm');
    expect(config.redis.url).toBeUndefined();
    expect(config.upstream.indexUrl).toBe('https://pypi.org/simple/');
    expect(config.docker.hosts).toEqual([
      { name: 'local', url: 'unix:///var/run/docker.sock', concurrency: 2, platforms: 'auto', network: 'bridge', ccache: true },
    ]);
    expect(config.images.source).toBe('auto');
    expect(config.python).toEqual(['3.11']);
    expect(stateDir(config)).toBe('/srv/farm/.farm');
  });

  it('environment overrides the file', () => {
    const text = 'root: /data/wheels\nredis: {url: "redis://file:6379"}\nupstream: {indexUrl: "https://mirror.example/simple/"}\n';
    const config = parseConfig(text, 'farm.config.yaml', {
      FARM_ROOT: '/env/root',
      REDIS_URL: 'redis://env:6380',
      FARM_INDEX_URL: 'http://127.0.0.1:9/simple/',
      DOCKER_HOST: 'tcp://builder:2376',
      FARM_RECIPES: '/etc/farm/recipes',
    });
    expect(config.root).toBe('/env/root');
    expect(config.redis.url).toBe('redis://env:6380');
    expect(config.upstream.indexUrl).toBe('http://127.0.0.1:9/simple/');
    expect(config.docker.hosts[0]!.url).toBe('tcp://builder:2376');
    expect(config.recipes.dir).toBe('/etc/farm/recipes');
  });

  it('reports every problem at once, each with its dotted path and line', () => {
    const text = [
      'root: ""',
      'concurrency:',
      '  builds: 0',
      'targets:',
      '  glibc-sparc: {}',
      '  glibc-armv7:',
      '    python: ["three"]',
      'docker:',
      '  hosts:',
      '    - {name: a, url: "http://x"}',
      'colour: blue',
    ].join('\n');
    const error = configError(() => parseConfig(text, 'farm.config.yaml'));
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['root', 'concurrency.builds', 'targets.glibc-sparc', 'targets.glibc-armv7.python.0', 'docker.hosts.0.url', '']),
    );
    expect(error.message).toContain('farm.config.yaml');
    expect(error.issues.find((i) => i.path === 'concurrency.builds')!.message).toContain('(line 3)');
    expect(error.issues.find((i) => i.path === 'targets.glibc-sparc')!.message).toContain('valid targets: glibc-x86_64');
    expect(error.issues.find((i) => i.path === '')!.message).toMatch(/colour/);
    expect(error.exitCode).toBe(2);
  });

  it('a bad environment value is reported like a bad key', () => {
    const error = configError(() => parseConfig(undefined, 'defaults', { REDIS_URL: 'localhost:6379' }));
    expect(error.issues[0]!.path).toBe('redis.url');
  });

  it('YAML syntax errors name the line', () => {
    const error = configError(() => parseConfig('root: [unclosed\n', 'bad.yaml'));
    expect(error.issues[0]!.message).toMatch(/^line \d+:/);
  });
});

describe('targetSettings', () => {
  it('layers targets.<id> over the catalog and the global python list', () => {
    const config = parseConfig(
      'python: ["3.11", "3.12"]\ntargets:\n  musl-x86_64: {repository: alpine, image: "python:3.12-alpine"}\n',
      'farm.config.yaml',
    );
    expect(targetSettings(config, getTarget('musl-x86_64'))).toMatchObject({
      repository: 'alpine',
      image: 'python:3.12-alpine',
      pythonVersions: ['3.11', '3.12'],
    });
    expect(targetSettings(config, getTarget('glibc-x86_64'))).toMatchObject({ repository: 'glibc', image: undefined });
  });
});

describe('loadConfig', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads ./farm.config.yaml when present, FARM_CONFIG when set', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'farm-config-'));
    await writeFile(path.join(dir, 'farm.config.yaml'), 'root: ./repo\nrecipes: {dir: my-recipes}\n');
    await writeFile(path.join(dir, 'other.yaml'), 'root: /other\n');
    const config = await loadConfig({}, dir);
    // Relative paths in a file are relative to that file, not to where farm runs.
    expect(config.root).toBe(path.join(dir, 'repo'));
    expect(config.recipes.dir).toBe(path.join(dir, 'my-recipes'));
    expect((await loadConfig({ FARM_CONFIG: path.join(dir, 'other.yaml') }, dir)).root).toBe('/other');
  });

  it('a FARM_CONFIG that does not exist is an error naming it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'farm-config-'));
    await expect(loadConfig({ FARM_CONFIG: 'missing.yaml' }, dir)).rejects.toBeInstanceOf(MissingFileError);
  });
});

// Issue 14, point 22: a bad cron is a config error when the file is loaded, not when schedules are synced.
describe('schedule cron validation at load time', () => {
  const withCron = (cron: string) =>
    `sets:\n  - name: web\n    source: { kind: git, url: "https://github.com/acme/web.git", branch: main }\n    targets: [glibc-x86_64]\n    schedule: { cron: "${cron}" }\n`;
  it.each(['61 * * * *', '* * * * * * * *', 'every night', '0 0 31 2 * * *'])('refuses %s with the path and line', (cron) => {
    expect(() => parseConfig(withCron(cron), 'farm.config.yaml')).toThrow(/sets\.0\.schedule\.cron: .*cron.*\(line 5\)/);
  });
  it.each(['0 3 * * *', '*/15 * * * *', '0 0 3 * * 1-5', '@daily'])('accepts %s', (cron) => {
    expect(parseConfig(withCron(cron), 'farm.config.yaml').sets[0]!.schedule!.cron).toBe(cron);
  });
});
