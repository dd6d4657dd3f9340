import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCacheVolume } from '../../../src/docker/cache-volume.js';
import { buildContainerSpec, type BuildStepInput } from '../../../src/docker/container-spec.js';
import { runContainer, type OutputStream } from '../../../src/docker/run-container.js';
import { BuildTimeoutError, CancelledError, TransientError } from '../../../src/errors.js';
import { ensureBusyboxTestImage } from '../../support/test-images.js';
import {
  TEST_CACHE_PREFIX,
  containersOf,
  docker,
  removeContainersOf,
  removeDir,
  removeVolumes,
  testWorkerId,
  worldWritableTempDir,
} from './support/docker-test-kit.js';

const workerId = testWorkerId('run');
const cacheVolume = `${TEST_CACHE_PREFIX}glibc-x86_64`;
let image: string;
let dir: string;

beforeAll(async () => {
  image = await ensureBusyboxTestImage(docker);
  dir = await worldWritableTempDir('run');
});

afterAll(async () => {
  await removeContainersOf(workerId);
  await removeVolumes(cacheVolume);
  await removeDir(dir);
});

let jobCounter = 0;
function spec(argv: string[], extra: Partial<BuildStepInput> = {}) {
  jobCounter += 1;
  return buildContainerSpec(
    { image, platform: 'linux/amd64', argv, cache: false, ...extra },
    { jobId: `job-${jobCounter}`, workerId, targetId: 'glibc-x86_64', network: 'none', cacheVolumePrefix: TEST_CACHE_PREFIX },
  );
}

/** Collects the callback's chunks per stream. */
function collector() {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  return {
    onOutput: (stream: OutputStream, chunk: Buffer) => chunks[stream].push(Buffer.from(chunk)),
    text: (stream: OutputStream) => Buffer.concat(chunks[stream]).toString('utf8'),
  };
}

async function expectRejection<E>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe('runContainer', () => {
  it('streams stdout and stderr separately to the callback and both to the log, returns the exit code and removes the container', async () => {
    const logPath = path.join(dir, 'logs', 'demux.log');
    const out = collector();
    const result = await runContainer(
      docker,
      // The shell is the test program here; no outside data reaches it.
      spec(['sh', '-c', 'echo out1; echo err1 >&2; sleep 0.2; echo out2; echo err2 >&2; exit 3']),
      { logPath, timeoutMs: 60_000, onOutput: out.onOutput },
    );
    expect(result.exitCode).toBe(3);
    expect(result.logPath).toBe(logPath);
    expect(result.oomKilled).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(out.text('stdout')).toBe('out1\nout2\n');
    expect(out.text('stderr')).toBe('err1\nerr2\n');

    const log = await readFile(logPath, 'utf8');
    const [header, ...body] = log.split('\n');
    expect(header).toMatch(/^# farm: \S+ target=glibc-x86_64 image=farm-test\/busybox:latest platform=linux\/amd64 argv=\[/);
    expect(header).toContain(JSON.stringify(['sh', '-c', 'echo out1; echo err1 >&2; sleep 0.2; echo out2; echo err2 >&2; exit 3']));
    for (const line of ['out1', 'err1', 'out2', 'err2']) expect(body).toContain(line);
    // Demultiplexed: none of Docker's 8-byte frame headers reached the log.
    const raw = await readFile(logPath);
    expect(raw.includes(Buffer.from([1, 0, 0, 0]))).toBe(false);
    expect(raw.includes(Buffer.from([2, 0, 0, 0]))).toBe(false);
    expect(await containersOf(workerId)).toEqual([]);
  });

  it('appends to an existing log, one header per run', async () => {
    const logPath = path.join(dir, 'logs', 'append.log');
    await runContainer(docker, spec(['echo', 'first']), { logPath, timeoutMs: 60_000 });
    await runContainer(docker, spec(['echo', 'second']), { logPath, timeoutMs: 60_000 });
    const lines = (await readFile(logPath, 'utf8')).split('\n');
    expect(lines.filter((l) => l.startsWith('# farm: '))).toHaveLength(2);
    expect(lines.indexOf('first')).toBeLessThan(lines.indexOf('second'));
  });

  it('delivers all of a large output before returning', async () => {
    const logPath = path.join(dir, 'logs', 'large.log');
    const out = collector();
    const result = await runContainer(docker, spec(['seq', '1', '200000']), {
      logPath,
      timeoutMs: 120_000,
      onOutput: out.onOutput,
    });
    expect(result.exitCode).toBe(0);
    const lines = out.text('stdout').split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines.at(-2)).toBe('200000');
    expect((await readFile(logPath, 'utf8')).endsWith('199999\n200000\n')).toBe(true);
  });

  it('kills a step that sleeps past its timeout within timeout + 2 s, reports BuildTimeoutError and leaves no container', async () => {
    const logPath = path.join(dir, 'logs', 'timeout.log');
    const timeoutMs = 3_000;
    const started = performance.now();
    const error = await expectRejection(
      runContainer(docker, spec(['sh', '-c', 'echo going to sleep; exec sleep 300']), {
        logPath,
        timeoutMs,
        package: 'sleepy==1.0',
      }),
      BuildTimeoutError,
    );
    const elapsed = performance.now() - started;
    // A correctness bound (the "killed within timeout + 2 s"), not a speed figure.
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
    expect(elapsed).toBeLessThan(timeoutMs + 2_000);
    expect(error.timeoutMs).toBe(timeoutMs);
    expect(error.context).toMatchObject({ target: 'glibc-x86_64', package: 'sleepy==1.0', logPath });
    expect(error.context.logTail).toContain('going to sleep');
    expect(error.context.logTail).toContain('killed after 3000 ms timeout');
    expect(error.message).toContain('timeout');
    expect(await containersOf(workerId)).toEqual([]);
  });

  it('cancels a running step through its AbortSignal and removes the container', async () => {
    const controller = new AbortController();
    const running = runContainer(docker, spec(['sleep', '300']), {
      logPath: path.join(dir, 'logs', 'cancel.log'),
      timeoutMs: 600_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 1_000);
    const error = await expectRejection(running, CancelledError);
    expect(error.code).toBe('E_CANCELLED');
    expect(await containersOf(workerId)).toEqual([]);
  });

  it('does not create a container when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectRejection(
      runContainer(docker, spec(['echo', 'never']), {
        logPath: path.join(dir, 'logs', 'pre-cancelled.log'),
        timeoutMs: 60_000,
        signal: controller.signal,
      }),
      CancelledError,
    );
    expect(await containersOf(workerId)).toEqual([]);
  });

  it('turns a Docker API error into a TransientError with the cause', async () => {
    const error = await expectRejection(
      runContainer(docker, spec(['echo', 'x'], { image: 'farm-test/does-not-exist:never' }), {
        logPath: path.join(dir, 'logs', 'missing-image.log'),
        timeoutMs: 60_000,
      }),
      TransientError,
    );
    expect(error.message).toContain('create container');
    expect(error.cause).toBeDefined();
    expect(error.hint).toContain('farm-test/does-not-exist:never');
    expect(await containersOf(workerId)).toEqual([]);
  });

  it('runs as uid 1000 with the configured pids, memory and CPU limits', async () => {
    const out = collector();
    const result = await runContainer(
      docker,
      spec(
        [
          'sh',
          '-c',
          'id -u; id -g; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us',
        ],
        { limits: { pids: 256, memoryBytes: 256 * 1024 ** 2, cpus: 1.5 } },
      ),
      { logPath: path.join(dir, 'logs', 'limits.log'), timeoutMs: 60_000, onOutput: out.onOutput },
    );
    expect(result.exitCode).toBe(0);
    expect(out.text('stdout').split('\n').slice(0, 5)).toEqual(['1000', '1000', '256', String(256 * 1024 ** 2), '150000']);
  });

  it('mounts inputs read-only and the output read-write', async () => {
    const input = path.join(dir, 'input');
    const output = path.join(dir, 'output-rw');
    await mkdir(input, { recursive: true });
    await mkdir(output, { recursive: true });
    // World-writable, so only the read-only mount can stop the write to /in.
    await chmod(input, 0o777);
    await chmod(output, 0o777);
    const out = collector();
    const result = await runContainer(
      docker,
      spec(['sh', '-c', 'touch /in/x 2>&1 || echo input-is-read-only; touch /out/made && echo output-written'], {
        inputs: [{ hostPath: input, containerPath: '/in' }],
        output: { hostPath: output },
      }),
      { logPath: path.join(dir, 'logs', 'mounts.log'), timeoutMs: 60_000, onOutput: out.onOutput },
    );
    expect(result.exitCode).toBe(0);
    expect(out.text('stdout')).toContain('input-is-read-only');
    expect(out.text('stdout')).toContain('output-written');
    expect(await readdir(input)).toEqual([]);
    expect(await readdir(output)).toEqual(['made']);
  });

  it('hands the cache volume to the build user, so pip can write its cache there', async () => {
    await ensureCacheVolume(docker, {
      targetId: 'glibc-x86_64',
      image,
      platform: 'linux/amd64',
      workerId,
      prefix: TEST_CACHE_PREFIX,
      logPath: path.join(dir, 'logs', 'cache-volume.log'),
    });
    const out = collector();
    const result = await runContainer(
      docker,
      spec(['sh', '-c', 'mkdir -p "$PIP_CACHE_DIR" && touch "$PIP_CACHE_DIR/probe" && stat -c %u:%g /farm/cache'], {
        cache: true,
      }),
      { logPath: path.join(dir, 'logs', 'cache-use.log'), timeoutMs: 60_000, onOutput: out.onOutput },
    );
    expect(out.text('stderr')).toBe('');
    expect(result.exitCode).toBe(0);
    expect(out.text('stdout').trim()).toBe('1000:1000');
    expect(await containersOf(workerId)).toEqual([]);
  });
});

describe('argv safety', () => {
  // The brief's example: every shell metacharacter that could split or run it.
  const NASTY = `x; touch /tmp/pwned $(id) \`id\` | && > '"`;

  it('passes a package name with shell metacharacters as ONE argv element, unchanged, and runs no shell', async () => {
    const hostPwnedBefore = existsSync('/tmp/pwned');
    const out = collector();
    // printf prints each argument in its own <...>: argument boundaries become visible.
    const result = await runContainer(docker, spec(['printf', '<%s>\\n', NASTY, 'second arg']), {
      logPath: path.join(dir, 'logs', 'argv.log'),
      timeoutMs: 60_000,
      onOutput: out.onOutput,
    });
    expect(result.exitCode).toBe(0);
    expect(out.text('stdout')).toBe(`<${NASTY}>\n<second arg>\n`);
    expect(out.text('stderr')).toBe('');
    expect(existsSync('/tmp/pwned')).toBe(hostPwnedBefore);
  });

  it('creates no file when every metacharacter tries to write into the output', async () => {
    const output = path.join(dir, 'output-argv');
    await mkdir(output, { recursive: true });
    await chmod(output, 0o777);
    const nasty = `x; touch /out/semicolon $(touch /out/dollar) \`touch /out/backtick\` | touch /out/pipe && touch /out/and > /out/redirect '"`;
    const out = collector();
    const result = await runContainer(docker, spec(['echo', nasty], { output: { hostPath: output } }), {
      logPath: path.join(dir, 'logs', 'argv-out.log'),
      timeoutMs: 60_000,
      onOutput: out.onOutput,
    });
    expect(result.exitCode).toBe(0);
    expect(out.text('stdout')).toBe(`${nasty}\n`);
    expect(await readdir(output)).toEqual([]);
  });
});

describe('log size cap (issue 14, point 8)', () => {
  it('a build that prints without end fills its log only up to the cap: head and tail kept, the cut said', async () => {
    const logPath = path.join(dir, 'logs', 'runaway.log');
    const maxLogBytes = 256 * 1024;
    const out = collector();
    // About 5 MB of numbered lines, then a last line: 20 times the cap.
    const result = await runContainer(
      docker,
      spec(['sh', '-c', 'i=0; while [ $i -lt 100000 ]; do echo "line $i of a runaway build, printing on and on"; i=$((i+1)); done; echo LAST-LINE; exit 1']),
      { logPath, timeoutMs: 300_000, maxLogBytes, onOutput: out.onOutput },
    );
    expect(result.exitCode).toBe(1);
    const log = await readFile(logPath, 'utf8');
    expect(log.length).toBeLessThanOrEqual(maxLogBytes + 1024);
    expect(log).toMatch(/^# farm: .*argv=/);
    expect(log).toContain('line 0 of a runaway build');
    expect(log).toMatch(/# farm: this log is limited to 262144 bytes: \d+ bytes of output were cut here/);
    expect(log.trimEnd().endsWith('LAST-LINE')).toBe(true);
    // The live viewer still saw everything.
    expect(out.text('stdout')).toContain('line 99999 of a runaway build');
  }, 320_000);
});
