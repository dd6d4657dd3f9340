/**
 * Network holders: long-lived `--network none` containers whose network
 * namespace a build container joins (`NetworkMode: container:<holder>`)
 * instead of getting a new one.
 *
 * Why: on Docker 20.10 a `start` with `--network none` costs 0.65–0.72 s of
 * the engine's time against 0.33–0.37 s for a container that joins an
 * existing namespace, and every build runs two such containers (the hermetic
 * compile and the clean smoke test). The isolation is the same: the holder's
 * namespace has nothing but a loopback, and a holder is leased to one
 * container at a time, so no two builds ever share a loopback. A container's
 * processes all die with it (its PID namespace ends), so nothing listens on
 * the loopback when the next container joins.
 */
import type Dockerode from 'dockerode';
import { TransientError } from '../errors.js';
import { FARM_LABELS } from './container-spec.js';

/** `farm.step` of a holder: the sweeper removes a dead worker's holders like its other containers. */
export const HOLDER_STEP = 'network-holder';

/** What a holder runs: a program every builder image has (coreutils or busybox), sleeping ~68 years. */
const HOLDER_ARGV = ['sleep', '2147483647'];


/**
 * The create options of a holder: no network, no capabilities, a tiny
 * process budget, labelled as the worker's. Pure (tested by table).
 */
export function holderSpec(image: string, platform: string | undefined, workerId: string): Dockerode.ContainerCreateOptions {
  return {
    Image: image,
    ...(platform === undefined ? {} : { platform }),
    Entrypoint: [HOLDER_ARGV[0]!],
    Cmd: HOLDER_ARGV.slice(1),
    User: '1000:1000',
    Labels: { [FARM_LABELS.managed]: 'true', [FARM_LABELS.worker]: workerId, [FARM_LABELS.step]: HOLDER_STEP },
    Tty: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: 8,
      AutoRemove: false,
    },
  };
}

interface Holder {
  readonly container: Dockerode.Container;
}

/** Which image a new holder may be made from on this engine: one the caller knows is present. */
export interface HolderImage {
  readonly reference: string;
  readonly platform?: string;
}

/**
 * The holders of one worker process, per engine. `withIsolatedNetwork` lends
 * one (making it on first use), `close` removes them all.
 */
export class NetworkHolders {
  readonly #idle = new Map<Dockerode, Holder[]>();
  readonly #all = new Map<Dockerode, Set<Holder>>();
  #closed = false;

  constructor(private readonly workerId: string) {}

  /**
   * Runs `task` with the id of a holder on `docker` that nobody else uses
   * meanwhile (for `StepContext.networkOf`). A holder the task's container could not join (it
   * stopped under us) is dropped rather than lent again.
   */
  async withIsolatedNetwork<T>(docker: Dockerode, image: HolderImage, task: (holderId: string) => Promise<T>): Promise<T> {
    const holder = await this.#lend(docker, image);
    let healthy = true;
    try {
      return await task(holder.container.id);
    } catch (error) {
      healthy = await isRunning(holder.container);
      throw error;
    } finally {
      if (healthy && !this.#closed) {
        this.#idleOf(docker).push(holder);
      } else {
        await this.#drop(docker, holder);
      }
    }
  }

  /** Removes every holder (a worker that stops); a holder lent later is removed when it comes back. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#all].flatMap(([docker, holders]) => [...holders].map((h) => [docker, h] as const));
    await Promise.all(all.map(([docker, holder]) => this.#drop(docker, holder)));
    this.#idle.clear();
  }

  #idleOf(docker: Dockerode): Holder[] {
    let idle = this.#idle.get(docker);
    if (idle === undefined) this.#idle.set(docker, (idle = []));
    return idle;
  }

  async #lend(docker: Dockerode, image: HolderImage): Promise<Holder> {
    const idle = this.#idleOf(docker);
    for (let holder = idle.pop(); holder !== undefined; holder = idle.pop()) {
      // One inspect (milliseconds) against a failed build: an engine restart or a `docker rm` stops holders.
      if (await isRunning(holder.container)) return holder;
      await this.#drop(docker, holder);
    }
    return this.#make(docker, image);
  }

  async #make(docker: Dockerode, image: HolderImage): Promise<Holder> {
    let container: Dockerode.Container | undefined;
    try {
      container = await docker.createContainer(holderSpec(image.reference, image.platform, this.workerId));
      await container.start();
    } catch (error) {
      if (container !== undefined) await container.remove({ force: true }).catch(() => {});
      throw new TransientError(`docker: start a network holder from ${image.reference} failed: ${(error as Error).message}`, { cause: error });
    }
    const holder: Holder = { container };
    let all = this.#all.get(docker);
    if (all === undefined) this.#all.set(docker, (all = new Set()));
    all.add(holder);
    return holder;
  }

  async #drop(docker: Dockerode, holder: Holder): Promise<void> {
    this.#all.get(docker)?.delete(holder);
    // Already gone (404) is fine; anything else is left to the sweeper.
    await holder.container.remove({ force: true }).catch(() => {});
  }
}

async function isRunning(container: Dockerode.Container): Promise<boolean> {
  try {
    return (await container.inspect()).State.Running === true;
  } catch {
    return false;
  }
}
