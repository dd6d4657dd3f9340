/**
 * Builds a derived image (see derived-image.ts) on one engine, or finds it
 * there: a root container of the base image is kept alive while each step
 * runs in it through `docker exec` (argv, never a shell string), then it is
 * committed under the derived name and removed. The only privileged phase of
 * a build; every later container of the build runs unprivileged.
 */
import { createWriteStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { BuildFailedError, CancelledError, FarmError, TransientError } from '../errors.js';
import { buildContainerSpec } from '../docker/container-spec.js';
import { readLogTail } from '../docker/log-tail.js';
import {
  DERIVED_LABELS,
  derivedCommitConfig,
  derivedImageKey,
  derivedImageReference,
  type BaseImageConfig,
  type DerivedImageRequest,
} from './derived-image.js';

/** A derived image ready to run. */
export interface DerivedImage {
  /** `farm/derived-<target>:<key>`. */
  readonly reference: string;
  /** Content id (`sha256:…`). */
  readonly id: string;
  readonly key: string;
  /** False when the engine had it already. */
  readonly built: boolean;
}

/** Who prepares, and how long it may take. */
export interface PrepareOptions {
  /** Log of the build that needs the image: the preparation's output is appended. */
  readonly logPath: string;
  readonly timeoutMs: number;
  /** Network of the preparation (the package mirror must be reachable). */
  readonly network: 'bridge' | 'host' | 'none';
  readonly workerId: string;
  readonly jobId: string;
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** `name==version` for error messages. */
  readonly package: string;
}

/** Keeps the preparation container alive between `exec`s; coreutils and busybox both have `sleep`. */
const KEEP_ALIVE = ['sleep', '2147483647'];

/** One preparation per engine and image at a time in this process; the others wait for it. */
const inFlight = new WeakMap<Dockerode, Map<string, Promise<DerivedImage>>>();

/**
 * The derived image of `request` on `docker`, built when missing.
 *
 * @throws BuildFailedError when a step exits non-zero (the recipe's packages
 *   or commands are wrong: not retried), with the log tail.
 * @throws TransientError when the engine fails; CancelledError on `signal`.
 */
export async function ensureDerivedImage(docker: Dockerode, request: DerivedImageRequest, options: PrepareOptions): Promise<DerivedImage> {
  const key = derivedImageKey(request);
  const reference = derivedImageReference(request.targetId, key);
  let perEngine = inFlight.get(docker);
  if (perEngine === undefined) {
    perEngine = new Map();
    inFlight.set(docker, perEngine);
  }
  const running = perEngine.get(reference);
  if (running !== undefined) return logReuse(await running, request, options);
  const work = (async () => {
    const present = await findDerived(docker, reference, key);
    if (present !== undefined) return { reference, id: present, key, built: false };
    return buildDerived(docker, request, key, reference, options);
  })();
  perEngine.set(reference, work);
  try {
    const image = await work;
    return image.built ? image : await logReuse(image, request, options);
  } finally {
    perEngine.delete(reference);
  }
}

/**
 * A build that reuses a derived image says so in its own log, with the
 * privileged steps the image holds: what a reader of one build log needs to
 * know (which system packages were there), without running them again.
 */
async function logReuse(image: DerivedImage, request: DerivedImageRequest, options: PrepareOptions): Promise<DerivedImage> {
  const steps = request.steps.map((step) => `# farm:   (root) $ ${step.argv.join(' ')}\n`).join('');
  await mkdir(path.dirname(options.logPath), { recursive: true });
  await appendFile(options.logPath, `# farm: reusing ${image.reference} (${image.id}), prepared once from ${request.base.reference} with:\n${steps}`);
  return image;
}

async function findDerived(docker: Dockerode, reference: string, key: string): Promise<string | undefined> {
  try {
    const info = (await docker.getImage(reference).inspect()) as { Id: string; Config?: { Labels?: Record<string, string> | null } };
    // The tag is a key prefix: check the whole key before trusting it.
    return info.Config?.Labels?.[DERIVED_LABELS.key] === key ? info.Id : undefined;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw transient('inspect image', error);
  }
}

async function buildDerived(
  docker: Dockerode,
  request: DerivedImageRequest,
  key: string,
  reference: string,
  options: PrepareOptions,
): Promise<DerivedImage> {
  await mkdir(path.dirname(options.logPath), { recursive: true });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  log.on('error', () => {});
  const write = (text: string) => {
    if (!log.writableEnded) log.write(text);
  };
  write(`# farm: preparing ${reference} from ${request.base.reference} (${request.steps.length} privileged step(s), once per image)\n`);
  const deadline = Date.now() + options.timeoutMs;
  const spec = buildContainerSpec(
    { image: request.base.id, platform: request.platform, argv: KEEP_ALIVE, user: '0:0', cache: false },
    {
      jobId: options.jobId,
      workerId: options.workerId,
      targetId: request.targetId,
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      step: 'prepare',
      network: options.network,
    },
  );
  // The steps run as root through exec, each with its own environment; the
  // container itself keeps the base image's user and environment, because a
  // commit merges the container's into the image and cannot remove them.
  const base = (await docker.getImage(request.base.id).inspect().catch((e: unknown) => {
    throw transient('inspect base image', e);
  })) as { Config?: BaseImageConfig };
  spec.User = base.Config?.User ?? '';
  spec.Env = [...(base.Config?.Env ?? [])];
  let container: Dockerode.Container | undefined;
  try {
    container = await docker.createContainer(spec).catch((e: unknown) => {
      throw transient('create container', e);
    });
    await container.start().catch((e: unknown) => {
      throw transient('start container', e);
    });
    for (const step of request.steps) {
      if (options.signal?.aborted === true) throw new CancelledError(`${options.package}: cancelled while preparing ${reference}`);
      write(`# farm: (root) $ ${step.argv.join(' ')}\n`);
      const code = await execStep(docker, container, step, write, deadline - Date.now(), options.signal);
      if (code !== 0) {
        write(`# farm: privileged step failed with exit status ${code}; the image is not kept\n`);
        await closeLog(log);
        throw new BuildFailedError(
          { target: request.targetId, package: options.package, logPath: options.logPath, logTail: await readLogTail(options.logPath) },
          code,
        );
      }
    }
    await container.kill().catch(() => {});
    const [repo, tag] = splitReference(reference);
    await container
      .commit({ _query: { container: container.id, repo, tag, comment: `farm derived image ${key}` }, _body: derivedCommitConfig(request, key, base.Config ?? {}) })
      .catch((e: unknown) => {
        throw transient('commit container', e);
      });
    const id = await findDerived(docker, reference, key);
    if (id === undefined) throw new TransientError(`docker: committed ${reference} but the engine does not list it`);
    write(`# farm: prepared ${reference} (${id})\n`);
    return { reference, id, key, built: true };
  } catch (error) {
    throw error instanceof FarmError ? error : transient('prepare derived image', error);
  } finally {
    if (container !== undefined) await container.remove({ force: true, v: true }).catch(() => {});
    await closeLog(log);
  }
}

function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  return [reference.slice(0, colon), reference.slice(colon + 1)];
}

/** Runs one step with `docker exec` as root; returns its exit status. */
async function execStep(
  docker: Dockerode,
  container: Dockerode.Container,
  step: DerivedImageRequest['steps'][number],
  write: (text: string) => void,
  remainingMs: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const exec = await container
    .exec({
      Cmd: [...step.argv],
      Env: Object.entries(step.env).map(([k, v]) => `${k}=${v}`),
      User: '0:0',
      AttachStdout: true,
      AttachStderr: true,
    })
    .catch((e: unknown) => {
      throw transient('exec', e);
    });
  const stream = (await exec.start({ hijack: true, stdin: false }).catch((e: unknown) => {
    throw transient('exec start', e);
  })) as NodeJS.ReadableStream;
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => write(chunk.toString('utf8')));
  docker.modem.demuxStream(stream, out, out);
  const ended = new Promise<'ended'>((resolve) => {
    stream.once('end', () => resolve('ended'));
    stream.once('close', () => resolve('ended'));
    stream.once('error', () => resolve('ended'));
  });
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<'timeout' | 'cancelled'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, remainingMs));
    signal?.addEventListener('abort', () => resolve('cancelled'), { once: true });
  });
  const first = await Promise.race([ended, stop]);
  clearTimeout(timer);
  if (first !== 'ended') {
    await container.kill().catch(() => {});
    if (first === 'cancelled') throw new CancelledError('cancelled while preparing a derived image');
    write(`\n# farm: the preparation took longer than the build timeout\n`);
    return 124;
  }
  const info = (await exec.inspect()) as { ExitCode: number | null; Running: boolean };
  return info.ExitCode ?? 125;
}

function transient(what: string, error: unknown): TransientError {
  return new TransientError(`docker: ${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function closeLog(log: ReturnType<typeof createWriteStream>): Promise<void> {
  return new Promise((resolve) => {
    if (log.writableEnded || log.destroyed) return resolve();
    log.end(() => resolve());
  });
}
