import { NotFoundError } from '../errors.js';
import { inspectImage, type ImagesDocker } from './docker-port.js';
import { splitImageReference } from './image-names.js';

/** The identity of the image a build ran in, as recorded with the build. */
export interface ImageIdentity {
  /** The reference asked for, e.g. `quay.io/pypa/manylinux_2_28_x86_64`. */
  readonly image: string;
  /** The engine's image ID (`sha256:…`): always known. */
  readonly id: string;
  /** `repo@sha256:…` from the registry; undefined for images never pulled (bootstrap imports). */
  readonly digest: string | undefined;
  /** What to record: the registry digest when there is one, else the ID. */
  readonly reference: string;
}

/**
 * Picks the registry digest of `image` from `RepoDigests`: the entry of the
 * same repository, else the only one. Pure.
 */
export function digestFor(image: string, repoDigests: readonly string[]): string | undefined {
  const { repo } = splitImageReference(image);
  const same = repoDigests.find((d) => d.slice(0, d.indexOf('@')) === repo);
  if (same !== undefined) return same;
  return repoDigests.length === 1 ? repoDigests[0] : undefined;
}

/** The ID and registry digest of a present image, for the build record. */
export async function imageDigest(docker: Pick<ImagesDocker, 'getImage'>, image: string): Promise<ImageIdentity> {
  const inspected = await inspectImage(docker, image);
  if (inspected === undefined) {
    throw new NotFoundError(`image ${image} is not present`, {
      hint: 'farm images pull, or farm images bootstrap for offline images',
    });
  }
  const digest = digestFor(image, inspected.RepoDigests ?? []);
  return { image, id: inspected.Id, digest, reference: digest ?? inspected.Id };
}
