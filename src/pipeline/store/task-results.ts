/**
 * Outcome records of build and mirror jobs, kept in Redis under the job id.
 * Jobs are removed when they finish (so the same id can run again later);
 * these records outlive them, so a request that shares a job, or resumes
 * after a crash, still learns how it ended.
 */
import type { Redis } from 'ioredis';
import { validate } from '../../validation/validate.js';
import { TaskResult } from '../contract/job-data.js';
import { RETENTION_SECONDS, type FarmKeys } from './keys.js';

export class TaskResults {
  constructor(
    readonly redis: Redis,
    readonly keys: FarmKeys,
  ) {}

  async write(result: TaskResult): Promise<void> {
    const checked = validate(TaskResult, result, `result of ${result.taskId}`);
    await this.redis.set(this.keys.result(result.taskId), JSON.stringify(checked), 'EX', RETENTION_SECONDS);
  }

  async read(taskId: string): Promise<TaskResult | undefined> {
    const text = await this.redis.get(this.keys.result(taskId));
    return text === null ? undefined : validate(TaskResult, JSON.parse(text), `result of ${taskId}`);
  }

  /** Registers a request as waiting for the task. */
  async addRequester(taskId: string, requestId: string): Promise<void> {
    await this.redis.multi().sadd(this.keys.requesters(taskId), requestId).expire(this.keys.requesters(taskId), RETENTION_SECONDS).exec();
  }

  /** True when every request that asked for the task was cancelled (and at least one asked). */
  async allRequestersCancelled(taskId: string, isCancelled: (requestId: string) => Promise<boolean>): Promise<boolean> {
    const requesters = await this.redis.smembers(this.keys.requesters(taskId));
    if (requesters.length === 0) return false;
    for (const id of requesters) if (!(await isCancelled(id))) return false;
    return true;
  }
}
