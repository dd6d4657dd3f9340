/**
 * The cross toolchain on each Docker host, found once per host and process:
 * the toolchain image (`farm images bootstrap` builds it) and its volume,
 * filled on first use. A host without the image has no toolchain; its ARM
 * builds stay emulated and say why in their log.
 */
import type Dockerode from 'dockerode';
import { TransientError } from '../errors.js';
import { ensureToolchainVolume } from './toolchain-volume.js';

/** The toolchain on one host. */
export interface HostToolchain {
  /** Image reference and content id: the id is part of the build identity. */
  readonly image: string;
  readonly id: string;
  /** The filled volume build containers mount. */
  readonly volume: string;
}

export class Toolchains {
  readonly #byHost = new WeakMap<Dockerode, Promise<HostToolchain | undefined>>();

  /**
   * @param image the toolchain image reference (`toolchainImageName(suite)`)
   * @param logPath where filling a volume logs (per host name)
   */
  constructor(
    readonly image: string,
    readonly workerId: string,
    readonly logPath: (hostName: string) => string,
  ) {}

  /** The host's toolchain, or undefined when the engine does not have the image. */
  get(client: Dockerode, hostName: string): Promise<HostToolchain | undefined> {
    let found = this.#byHost.get(client);
    if (found === undefined) {
      found = this.#find(client, hostName);
      this.#byHost.set(client, found);
      // An engine hiccup must not stick for the life of the worker.
      found.catch(() => this.#byHost.delete(client));
    }
    return found;
  }

  async #find(client: Dockerode, hostName: string): Promise<HostToolchain | undefined> {
    let id: string;
    try {
      id = ((await client.getImage(this.image).inspect()) as { Id: string }).Id;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw new TransientError(`docker: inspect ${this.image} failed: ${(error as Error).message}`, { cause: error });
    }
    const volume = await ensureToolchainVolume(client, { image: this.image, imageId: id, workerId: this.workerId, logPath: this.logPath(hostName) });
    return { image: this.image, id, volume };
  }
}
