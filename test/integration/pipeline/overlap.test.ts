/**
 * Two overlapping requests submitted together: every wheel they share is
 * built once (one BullMQ job per build id), and the request that did not
 * create the job reports it as shared. glibc-x86_64 only: deduplication does
 * not depend on the target.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmConfig } from '../../../src/config/schema.js';
import { openEngine, type Engine } from '../../../src/pipeline/index.js';
import type { RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import {
  dropPrefix,
  farmConfig,
  randomId,
  recordContainerStarts,
  removeVolumes,
  startUpstream,
  wheelsIn,
  type TestUpstream,
} from './helpers.js';

const id = randomId();
const prefix = `farm-it-pipeline-${id}`;
const volumePrefix = `farm-pipeline-it-${id}-`;

let up: TestUpstream;
let config: FarmConfig;
let engine: Engine;
let recorder: Awaited<ReturnType<typeof recordContainerStarts>>;
let one: RequestStatus;
let two: RequestStatus;

beforeAll(async () => {
  up = await startUpstream();
  config = farmConfig(up.dir, `${up.server.url}/simple/`);
  recorder = await recordContainerStarts();
  engine = await openEngine(config, { prefix, workers: { cacheVolumePrefix: volumePrefix, concurrency: 2 } });
  const r1 = path.join(up.dir, 'one.txt');
  const r2 = path.join(up.dir, 'two.txt');
  // Shared: farmfix-cext, and farmfix-c (farmfix-a needs b, b needs c).
  await writeFile(r1, 'farmfix-cext\nfarmfix-a\n');
  await writeFile(r2, 'farmfix-cext\nfarmfix-c\nfarmfix-x86only\n');
  const [id1, id2] = await Promise.all([
    engine.submit({ requirements: [r1], targets: ['glibc-x86_64'] }),
    engine.submit({ requirements: [r2], targets: ['glibc-x86_64'] }),
  ]);
  [one, two] = await Promise.all([engine.wait(id1!), engine.wait(id2!)]);
});

afterAll(async () => {
  recorder?.stop();
  await engine?.close();
  await dropPrefix(prefix);
  await removeVolumes(volumePrefix);
  await up?.close();
});

describe('two overlapping requests', () => {
  it('both finish with every package served', () => {
    for (const status of [one, two]) {
      expect(status.state).toBe('done');
      // Build dependencies (setuptools, wheel) come from upstream wheels: mirrored, or cached by the second request.
      for (const row of status.rows) expect(row.buildDependency === true ? ['mirrored', 'shared', 'cached'] : ['built', 'shared', 'cached']).toContain(row.state);
    }
  });

  it('build each shared wheel once', () => {
    const builds = recorder.starts.filter((s) => s.job.startsWith('build-') && (s.request === one.id || s.request === two.id));
    const perJob = new Map<string, number>();
    for (const s of builds) perJob.set(s.job, (perJob.get(s.job) ?? 0) + 1);
    // One build container and one smoke-test container per wheel: nothing ran twice.
    expect([...perJob.values()].every((n) => n === 2)).toBe(true);
    const jobs = [...perJob.keys()].map((j) => j.replace(/-1\.0-glibc-x86_64-py3\.11-[0-9a-f]+$/, '')).sort();
    expect(jobs).toEqual(['build-farmfix-a', 'build-farmfix-b', 'build-farmfix-c', 'build-farmfix-cext', 'build-farmfix-x86only']);
  });

  it('report the other request’s job as shared', () => {
    for (const name of ['farmfix-cext', 'farmfix-c']) {
      const states = [one, two].map((s) => s.rows.find((r) => r.name === name)!.state).sort();
      expect(states).toEqual(['built', 'shared']);
    }
  });

  it('publish each wheel once', async () => {
    expect(await wheelsIn(config.root, 'glibc')).toEqual([
      'farmfix_a-1.0-py3-none-any.whl',
      'farmfix_b-1.0-py3-none-any.whl',
      'farmfix_c-1.0-cp311-cp311-linux_x86_64.whl',
      'farmfix_cext-1.0-cp311-cp311-linux_x86_64.whl',
      'farmfix_x86only-1.0-cp311-cp311-linux_x86_64.whl',
      'setuptools-65.5.0-py3-none-any.whl',
      'wheel-0.38.4-py3-none-any.whl',
    ]);
  });
});
