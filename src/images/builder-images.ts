/**
 * Finds the builder image a step runs in, on the Docker host that runs it:
 * chosen by `selectImage` (src/images) from what the engine has, pulled when
 * it is an official image that is missing, and identified by its image id so
 * a rebuilt image changes the build identity.
 */
import type Dockerode from 'dockerode';
import type { FarmConfig } from '../config/schema.js';
import { targetSettings } from '../config/target-settings.js';
import { HostError, TransientError } from '../errors.js';
import { followStream, inspectImage, streamError } from './docker-port.js';
import { IMAGE_LABELS } from './image-names.js';
import { selectImage, type PresentImage } from './select-image.js';
import { getTarget } from '../targets/parse-targets.js';

/** Docker's PATH for an image that sets none. */
const DEFAULT_IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A builder image ready to run. */
export interface BuilderImage {
  /** Reference as configured/selected, e.g. `farm/builder-glibc-armv7:bootstrap-py3.11`. */
  reference: string;
  /** Content id (`sha256:…`) of the image on this engine. */
  id: string;
  source: 'configured' | 'official' | 'bootstrap';
  /** The image's own PATH (tools farm mounts go in front of it). */
  path: string;
  /** Labelled as one of farm's bootstrap images (Debian, the cross toolchain's gcc). */
  bootstrapLabelled: boolean;
}

/** Caches image choices per engine and `(target, python)` for the life of a worker. */
export class BuilderImages {
  readonly #cache = new Map<string, Promise<BuilderImage>>();

  constructor(
    readonly config: FarmConfig,
    readonly log: (line: string) => void = () => {},
  ) {}

  /** The image for `target`/`python` on `docker` (`hostName` keys the cache). */
  get(docker: Dockerode, hostName: string, targetId: string, python: string): Promise<BuilderImage> {
    const key = `${hostName}/${targetId}/${python}`;
    let found = this.#cache.get(key);
    if (found === undefined) {
      found = this.#resolve(docker, targetId, python);
      this.#cache.set(key, found);
      // A failure (engine hiccup) must not stick for the life of the worker.
      found.catch(() => this.#cache.delete(key));
    }
    return found;
  }

  /** Forgets cached choices (after `farm images bootstrap` ran, for example). */
  clear(): void {
    this.#cache.clear();
  }

  async #resolve(docker: Dockerode, targetId: string, python: string): Promise<BuilderImage> {
    const target = getTarget(targetId);
    const settings = targetSettings(this.config, target);
    let present: PresentImage[];
    try {
      present = (await docker.listImages()).map((i) => ({ tags: i.RepoTags ?? [], labels: i.Labels ?? {} }));
    } catch (error) {
      throw new TransientError(`docker: list images failed: ${(error as Error).message}`, { cause: error });
    }
    const selection = selectImage(settings, this.config.images.source, present, python);
    if (!selection.pythonVersions.includes(python)) {
      throw new HostError(`the builder image ${selection.image} for ${targetId} has no Python ${python}`, {
        hint: `farm images bootstrap --targets ${targetId} --python ${python}`,
      });
    }
    if (!selection.present) {
      if (selection.source === 'bootstrap') {
        throw new HostError(`the bootstrap image ${selection.image} is missing`, {
          hint: `farm images bootstrap --targets ${targetId} --python ${python}`,
        });
      }
      this.log(`pulling ${selection.image} for ${target.platform}`);
      try {
        const stream = (await docker.pull(selection.image, { platform: target.platform })) as NodeJS.ReadableStream;
        const events = await followStream(docker, stream);
        const problem = streamError(events);
        if (problem !== undefined) throw new Error(problem);
      } catch (error) {
        throw new TransientError(`docker: pull ${selection.image} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    const inspected = await inspectImage(docker, selection.image);
    if (inspected === undefined) throw new HostError(`the builder image ${selection.image} is not on the engine`);
    const path = (inspected.Config?.Env ?? []).find((e) => e.startsWith('PATH='))?.slice('PATH='.length);
    return {
      reference: selection.image,
      id: inspected.Id,
      source: selection.source,
      path: path ?? DEFAULT_IMAGE_PATH,
      bootstrapLabelled: inspected.Config?.Labels?.[IMAGE_LABELS.source] === 'bootstrap',
    };
  }
}
