/**
 * A pip run that fails because of the index is not the package's failure
 * (issue 14, point 18). The upstream answers 503 to the first twelve
 * requests for one project page (two pip runs, pip's own five retries
 * included). farm must classify that as transient, retry with backoff and
 * publish the wheel, instead of reporting (and caching) a failure, or
 * planning the graph from it. glibc-x86_64 only. Two places where pip reads
 * the index:
 *
 * - `/simple/farmfix-c/`: resolving the requirements (since the compile
 *   runs offline, issue 12, resolving is where pip reads the index);
 * - `/simple/wheel/`: installing farmfix-c's static build requirements to
 *   ask its build backend for more (`get_requires_for_build_wheel`). A
 *   requirement that fails there would otherwise be taken for "no wheel
 *   yet, farm builds it first".
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/pipeline/index.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic, type StaticServer } from '../../support/upstream/static-server.js';
import { dropPrefix, explainRow, farmConfig, randomId, removeVolumes, wheelsIn } from './helpers.js';
import { isBuildBackendWheel } from '../../support/request-rows.js';

// Six per pip run (pip's own five retries included), and a failed pip run is followed by a second one.
const FAILING_REQUESTS = 12;
const id = randomId();
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function scenario(name: string, faultPath: string): Promise<{ log: string; failed: number; state?: string; why: string; wheels: string[] }> {
  const prefix = `farm-it-transient-${id}-${name}`;
  const volumePrefix = `farm-transient-it-${id}-${name}-`;
  const dir = `/tmp/farm-transient-it-${id}-${name}`;
  let failed = 0;
  await buildUpstream(path.join(dir, 'upstream'), { fixtures: ['farmfix-c'] });
  const server: StaticServer = await serveStatic(path.join(dir, 'upstream'), {
    fault: (urlPath) => (urlPath === faultPath && failed++ < FAILING_REQUESTS ? 503 : undefined),
  });
  cleanups.push(async () => {
    await server.close();
    await dropPrefix(prefix);
    await removeVolumes(volumePrefix);
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(path.join(dir, 'requirements.txt'), 'farmfix-c\n');
  const config = farmConfig(path.join(dir, 'farm'), `${server.url}/simple/`);
  const engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix } });
  try {
    const status = await engine.wait(await engine.submit({ requirements: [path.join(dir, 'requirements.txt')], targets: ['glibc-x86_64'] }));
    const resolveLogs = await Promise.all(Object.values(status.resolveLogs).map((p) => readFile(p, 'utf8')));
    const wheels = (await wheelsIn(config.root, 'glibc')).filter((w) => !isBuildBackendWheel(w));
    const row = status.rows.find((r) => r.name === 'farmfix-c');
    const log = resolveLogs.join('\n');
    return { log, failed, state: row?.state, why: `${await explainRow(row)}\n--- resolve log ---\n${log.slice(-3000)}`, wheels };
  } finally {
    await engine.close();
  }
}

describe('an index failing pip for a while', () => {
  it('while resolving: the resolve job is retried and the wheel published, nothing reported as the package failing', async () => {
    const run = await scenario('resolve', '/simple/farmfix-c/');
    expect(run.failed, 'the index fault was never hit').toBeGreaterThanOrEqual(FAILING_REQUESTS);
    expect(run.state, run.why).toBe('built');
    expect(run.log).toMatch(/# farm: .*pip failed because of the network or the index \(.*503.*\): transient, to be retried/);
    // The job's next attempt appends to the same resolve log and gets past the index.
    expect(run.log.slice(run.log.indexOf('transient, to be retried'))).toMatch(/# farm: build requirements of farmfix-c==1\.0/);
    expect(run.wheels).toHaveLength(1);
  }, 15 * 60_000);

  it.each([
    ['/simple/wheel/', 'resolving the build requirements its backend asked for (wheel)', /# farm: resolving the build requirements .*wheel.*: pip failed because/],
    ['/simple/setuptools/', "installing its static build requirements to ask its backend for more (setuptools)", /# farm: installing setuptools.* to ask farmfix-c's build backend for its requirements: pip failed because/],
  ])('while %s is failing, %s: retried, not recorded as a failure or as a wheel farm must build', async (faultPath, _what, said) => {
    const run = await scenario(faultPath.split('/')[2]!, faultPath);
    expect(run.failed, 'the index fault was never hit').toBeGreaterThanOrEqual(FAILING_REQUESTS);
    expect(run.state, run.why).toBe('built');
    expect(run.log).toMatch(/# farm: .*pip failed because of the network or the index \(.*503.*\): transient, to be retried/);
    expect(run.log).toMatch(said);
    expect(run.log).not.toMatch(/not installable as a wheel yet/);
    expect(run.wheels).toHaveLength(1);
  }, 15 * 60_000);
});
