import { WaitingError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { JobHandedBackError } from '../../../../src/errors.js';
import { JobGuard } from '../../../../src/pipeline/worker/job-guard.js';

function fakeJob(id: string) {
  const moved: string[] = [];
  const job = { id, moveToWait: async (token: string) => void moved.push(token) } as unknown as Job;
  return { job, moved };
}

describe('JobGuard', () => {
  it('knows the running jobs and passes results and ordinary errors through', async () => {
    const guard = new JobGuard();
    let seen: string[] = [];
    const ok = guard.wrap(async () => {
      seen = guard.running;
      return 'done';
    });
    const { job } = fakeJob('build:1');
    expect(await ok(job, 'tok')).toBe('done');
    expect(seen).toEqual(['build:1']);
    expect(guard.running).toEqual([]);
    const failing = guard.wrap(async () => {
      throw new Error('compiler said no');
    });
    await expect(failing(job, 'tok')).rejects.toThrow('compiler said no');
  });

  it('a job that can\'t be finished here goes back to wait, no failure recorded', async () => {
    const guard = new JobGuard();
    const { job, moved } = fakeJob('build:2');
    const handBack = guard.wrap(async () => {
      throw new JobHandedBackError('token revoked');
    });
    await expect(handBack(job, 'lock-token')).rejects.toBeInstanceOf(WaitingError);
    expect(moved).toEqual(['lock-token']);
  });

  it('after handBackAll, jobs not started yet go back too, without running', async () => {
    const guard = new JobGuard();
    guard.handBackAll();
    let ran = false;
    const processor = guard.wrap(async () => {
      ran = true;
    });
    const { job, moved } = fakeJob('build:3');
    await expect(processor(job, 't')).rejects.toBeInstanceOf(WaitingError);
    expect(ran).toBe(false);
    expect(moved).toEqual(['t']);
  });
});
