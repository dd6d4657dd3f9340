import type { ImagesDocker } from './docker-port.js';
import type { PresentImage } from './select-image.js';

/** A `docker image ls` entry, reduced to what image selection needs. Pure. */
export function toPresentImage(info: { RepoTags?: string[] | null; Labels?: Record<string, string> | null }): PresentImage {
  return {
    tags: (info.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
    labels: info.Labels ?? {},
  };
}

/** Every tagged image of the engine, for `selectImage`. */
export async function presentImages(docker: Pick<ImagesDocker, 'listImages'>): Promise<PresentImage[]> {
  const images = await docker.listImages();
  return images.map(toPresentImage).filter((image) => image.tags.length > 0);
}
