/**
 * Nightly (or any cron) rebuilds of tracked sets, on BullMQ job schedulers:
 * one scheduler per set with a `schedule`, id `set:<name>`, producing
 * `schedule` jobs on the `triggers` queue. Schedulers live in Redis, so they
 * survive restarts of the API and the workers (and of Redis, with AOF).
 * BullMQ has no per-scheduler pause: pausing removes the scheduler and
 * remembers the set in a Redis set; resuming upserts it again.
 */
import type { FarmConfig, TrackedSet } from '../config/schema.js';
import { ConfigError, NotFoundError, UsageError } from '../errors.js';
import type { TriggerJobData, TriggerQueue } from '../tracked/trigger-queue.js';

/** One schedule as `farm schedule list` shows it. */
export interface ScheduleInfo {
  set: string;
  cron: string;
  tz: string;
  /** Next run (ISO time); absent when paused. */
  next?: string;
  paused: boolean;
  /** False for a scheduler left in Redis whose set no longer has a schedule (removed by the next sync). */
  configured: boolean;
}

/** What `syncSchedules` changed. */
export interface SyncResult {
  upserted: string[];
  removed: string[];
  paused: string[];
}

const SCHEDULER_PREFIX = 'set:';

/** The job scheduler id of a set. */
export function schedulerId(set: string): string {
  return `${SCHEDULER_PREFIX}${set}`;
}

function pausedKey(queue: TriggerQueue): string {
  return `${queue.prefix}:farm:paused-schedules`;
}

function scheduledSets(config: FarmConfig): (TrackedSet & { schedule: NonNullable<TrackedSet['schedule']> })[] {
  return config.sets.filter((s): s is TrackedSet & { schedule: NonNullable<TrackedSet['schedule']> } => s.schedule !== undefined);
}

function findSet(config: FarmConfig, name: string): TrackedSet {
  const set = config.sets.find((s) => s.name === name);
  if (set === undefined) {
    const names = config.sets.map((s) => s.name);
    throw new NotFoundError(`no tracked set '${name}'`, {
      hint: names.length === 0 ? 'add sets: to farm.config.yaml' : `tracked sets: ${names.join(', ')}`,
    });
  }
  return set;
}

async function upsert(queue: TriggerQueue, set: TrackedSet & { schedule: NonNullable<TrackedSet['schedule']> }): Promise<void> {
  try {
    await queue.queue.upsertJobScheduler(
      schedulerId(set.name),
      { pattern: set.schedule.cron, tz: set.schedule.tz },
      {
        name: 'schedule',
        data: { kind: 'schedule', set: set.name } satisfies TriggerJobData,
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 2000 } },
      },
    );
  } catch (error) {
    // BullMQ (cron-parser) rejects a bad pattern here; report it like a config error.
    throw new ConfigError('farm.config.yaml', [
      { path: `sets.${set.name}.schedule.cron`, message: `invalid cron '${set.schedule.cron}': ${(error as Error).message}` },
    ]);
  }
}

/**
 * Makes Redis hold exactly one scheduler per configured, unpaused schedule:
 * upserts each (a changed cron or tz takes effect, an unchanged one keeps its
 * next run) and removes schedulers of sets that lost their schedule. Every
 * invalid cron is reported at once.
 */
export async function syncSchedules(config: FarmConfig, queue: TriggerQueue): Promise<SyncResult> {
  const paused = new Set(await queue.redis.smembers(pausedKey(queue)));
  const wanted = scheduledSets(config);
  const result: SyncResult = { upserted: [], removed: [], paused: [] };
  const problems: ConfigError[] = [];
  for (const set of wanted) {
    if (paused.has(set.name)) {
      result.paused.push(set.name);
      continue;
    }
    try {
      await upsert(queue, set);
      result.upserted.push(set.name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error);
    }
  }
  const keep = new Set(wanted.filter((s) => !paused.has(s.name)).map((s) => schedulerId(s.name)));
  for (const scheduler of await queue.queue.getJobSchedulers(0, -1, true)) {
    if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !keep.has(scheduler.key)) {
      await queue.queue.removeJobScheduler(scheduler.key);
      result.removed.push(scheduler.key.slice(SCHEDULER_PREFIX.length));
    }
  }
  // Pause flags of sets that no longer exist would otherwise linger forever.
  const known = new Set(config.sets.map((s) => s.name));
  for (const name of paused) if (!known.has(name)) await queue.redis.srem(pausedKey(queue), name);
  if (problems.length > 0) throw new ConfigError('farm.config.yaml', problems.flatMap((p) => p.issues));
  return result;
}

/** The configured schedules with their next run and paused state, plus stray schedulers. */
export async function listSchedules(config: FarmConfig, queue: TriggerQueue): Promise<ScheduleInfo[]> {
  const paused = new Set(await queue.redis.smembers(pausedKey(queue)));
  const schedulers = new Map(
    (await queue.queue.getJobSchedulers(0, -1, true)).filter((s) => s.key.startsWith(SCHEDULER_PREFIX)).map((s) => [s.key, s]),
  );
  const infos: ScheduleInfo[] = [];
  for (const set of scheduledSets(config)) {
    const scheduler = schedulers.get(schedulerId(set.name));
    schedulers.delete(schedulerId(set.name));
    infos.push({
      set: set.name,
      cron: set.schedule.cron,
      tz: set.schedule.tz,
      ...(scheduler?.next === undefined ? {} : { next: new Date(scheduler.next).toISOString() }),
      paused: paused.has(set.name),
      configured: true,
    });
  }
  for (const [key, scheduler] of schedulers) {
    infos.push({
      set: key.slice(SCHEDULER_PREFIX.length),
      cron: scheduler.pattern ?? `every ${scheduler.every ?? '?'} ms`,
      tz: scheduler.tz ?? 'UTC',
      ...(scheduler.next === undefined ? {} : { next: new Date(scheduler.next).toISOString() }),
      paused: false,
      configured: false,
    });
  }
  return infos;
}

/**
 * Runs a tracked set now (`farm schedule run <set>`), whether or not it has a
 * schedule. Returns the trigger id; `GET /requests/<id>` and the trigger
 * record lead to the build request once the trigger worker submits it.
 */
export async function runScheduleNow(config: FarmConfig, queue: TriggerQueue, setName: string): Promise<string> {
  findSet(config, setName);
  return queue.enqueueScheduleRun(setName);
}

/** Stops a set's schedule until `resumeSchedule`, across restarts and syncs. */
export async function pauseSchedule(config: FarmConfig, queue: TriggerQueue, setName: string): Promise<void> {
  const set = findSet(config, setName);
  if (set.schedule === undefined) throw new UsageError(`tracked set '${setName}' has no schedule`);
  await queue.redis.sadd(pausedKey(queue), setName);
  await queue.queue.removeJobScheduler(schedulerId(setName));
}

/** Restarts a paused schedule from its configured cron. */
export async function resumeSchedule(config: FarmConfig, queue: TriggerQueue, setName: string): Promise<void> {
  const set = findSet(config, setName);
  if (set.schedule === undefined) throw new UsageError(`tracked set '${setName}' has no schedule`);
  await queue.redis.srem(pausedKey(queue), setName);
  await upsert(queue, { ...set, schedule: set.schedule });
}
