import { describe, expect, it } from 'vitest';
import {
  BuildFailedError,
  BuildTimeoutError,
  CancelledError,
  ConfigError,
  HostError,
  RecipeNotApplicableError,
  TransientError,
  WheelRejectedError,
} from '../../../../src/errors.js';
import { isCacheableFailure, isFinalFailure, killedFromOutside } from '../../../../src/pipeline/target-jobs/failure-policy.js';

const context = { target: 'glibc-x86_64', package: 'p==1.0', logPath: '/l', logTail: '' };

describe('failure policy', () => {
  it.each([
    ['compiler error', new BuildFailedError(context, 1), true, true],
    ['compiler error on a host that compiled otherwise than planned', new BuildFailedError(context, 1, { cacheable: false }), true, false],
    ['wheel refused by the repository', new WheelRejectedError('p.whl', 'bad'), true, true],
    ['invalid job data', new ConfigError('job', []), true, true],
    ['timeout', new BuildTimeoutError(context, 1000), true, false],
    ['cancelled', new CancelledError('stop'), true, false],
    ['Docker/network trouble', new TransientError('ECONNRESET'), false, false],
    ['host problem', new HostError('no engine'), false, false],
    ['a recipe the image cannot apply (a HostError that is deterministic)', new RecipeNotApplicableError('no package manager'), true, true],
    ['unexpected bug', new TypeError('x is undefined'), false, false],
    ['a build failure read back from Redis', { code: 'E_BUILD_FAILED' }, true, true],
    ['a timeout read back from Redis', { code: 'E_BUILD_TIMEOUT' }, true, false],
    ['a serialised farm error keeps its meaning', JSON.parse(JSON.stringify(new TransientError('x'))) as unknown, false, false],
    ['an unknown code is unexpected: retried', { code: 'E_SOMETHING' }, false, false],
  ])('%s: final=%s, cacheable=%s', (_label, error, final, cacheable) => {
    expect(isFinalFailure(error)).toBe(final);
    expect(isCacheableFailure(error)).toBe(cacheable);
  });
});

describe('killedFromOutside (fault suite: dockerd restarted mid-build)', () => {
  it.each<[number, boolean, boolean]>([
    [137, false, true], // SIGKILL to the container's first process: the engine stopping, docker kill, the host's OOM killer
    [143, false, true], // SIGTERM to it: the engine stopping
    [137, true, false], // the cgroup's OOM killer: reported as out of memory instead
    [1, false, false], // the build failed
    [247, false, false], // the driver saw pip killed by SIGKILL inside the container (256 - 9): the build's own
    [0, false, false],
  ])('exit %i, oomKilled %s → %s', (exitCode, oomKilled, expected) => {
    expect(killedFromOutside({ exitCode, oomKilled })).toBe(expected);
  });
});
