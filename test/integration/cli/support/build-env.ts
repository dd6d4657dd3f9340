/**
 * What a real `farm build` from the CLI needs in a test: a temporary farm
 * (config, repository root), the fixture upstream index served on
 * 127.0.0.1, and the bootstrap builder images of the targets.
 */
import { dropRedisPrefix } from '../../../support/redis-prefix.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrapImages } from '../../../../src/images/bootstrap-images.js';
import { buildUpstream } from '../../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../../support/upstream/static-server.js';
import { cleanEnv } from './farm-process.js';

export const TEST_REDIS_URL = process.env['FARM_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface BuildEnv {
  dir: string;
  root: string;
  configPath: string;
  /** The upstream's `/simple/` URL, for `--index-url`. */
  indexUrl: string;
  upstream: StaticServer;
  /** A Redis key prefix of this test, for distributed runs. */
  prefix: string;
  /** Environment for farm processes: FARM_CONFIG set, nothing else of the caller's farm. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Writes a requirements file into `dir` and returns its name. */
  requirements(name: string, lines: readonly string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/** Builds the fixture upstream, writes the config and makes sure the images exist. */
export async function prepareBuildEnv(options: { fixtures: readonly string[]; targets: readonly string[] }): Promise<BuildEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'farm-cli-build-'));
  const root = path.join(dir, 'repo');
  const upstream = await serveStatic((await buildUpstream(path.join(dir, 'upstream'), { fixtures: options.fixtures })).dir);
  const configPath = path.join(dir, 'farm.config.yaml');
  await writeFile(
    configPath,
    [
      `root: ${JSON.stringify(root)}`,
      'docker:',
      '  hosts:',
      '    - name: local',
      '      url: unix:///var/run/docker.sock',
      '      network: host',
      'images:',
      '  source: bootstrap',
      'python: ["3.11"]',
      '',
    ].join('\n'),
  );
  // Present images are skipped; a fresh CI machine builds them here once.
  await bootstrapImages({ targets: options.targets, python: ['3.11'] });
  const prefix = `farm-cli-test-${randomBytes(4).toString('hex')}`;
  return {
    dir,
    root,
    configPath,
    indexUrl: `${upstream.url}/simple/`,
    upstream,
    prefix,
    env: (extra = {}) => cleanEnv({ FARM_CONFIG: configPath, ...extra }),
    async requirements(name, lines) {
      await writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
      return name;
    },
    async cleanup() {
      await upstream.close();
      await deleteKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Removes every Redis key of a test prefix. */
export async function deleteKeys(prefix: string): Promise<void> {
  await dropRedisPrefix(prefix, TEST_REDIS_URL);
}
