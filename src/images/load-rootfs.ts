import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { HostError } from '../errors.js';
import { hashFile } from '../files/hash-file.js';
import { followStream, inspectImage, streamError, type ImagesDocker, type InspectedImage } from './docker-port.js';
import { archiveMetadata, matchesPlatform, type ImageSpec } from './image-archive.js';

/** sha256 of a file, as Docker writes layer digests (`sha256:…`). */
export async function fileDigest(file: string): Promise<string> {
  return `sha256:${(await hashFile(file)).sha256}`;
}

/**
 * Turns a root filesystem tar into an image with the target's platform: wraps
 * it as the single layer of a `docker save`-format archive, streams that into
 * `docker load`, and checks that the engine recorded the right architecture.
 */
export async function loadRootfs(
  docker: Pick<ImagesDocker, 'loadImage' | 'getImage' | 'modem'>,
  layerTar: string,
  spec: ImageSpec,
): Promise<InspectedImage> {
  const [diffId, { size }] = await Promise.all([fileDigest(layerTar), stat(layerTar)]);
  const meta = archiveMetadata(spec, diffId, new Date().toISOString());
  const pack = tar.pack();
  const writing = (async () => {
    const layer = pack.entry({ name: meta.layerName, size, mode: 0o644 });
    await pipeline(createReadStream(layerTar), layer);
    pack.entry({ name: meta.configName, mode: 0o644 }, meta.config);
    pack.entry({ name: 'manifest.json', mode: 0o644 }, meta.manifest);
    pack.finalize();
  })();
  writing.catch((error: unknown) => pack.destroy(error as Error));
  // tar-stream's pack is a streamx Readable: pipe-compatible, typed apart from Node's.
  const response = await docker.loadImage(pack as unknown as NodeJS.ReadableStream, { quiet: false });
  const [events] = await Promise.all([followStream(docker, response), writing]);
  const error = streamError(events);
  if (error !== undefined) throw new HostError(`docker load of ${spec.name} failed: ${error}`);
  const image = await inspectImage(docker, spec.name);
  if (image === undefined) throw new HostError(`docker load of ${spec.name} reported success, but the image is missing`);
  if (!matchesPlatform(image, spec.platform)) {
    throw new HostError(
      `${spec.name} was loaded as ${image.Architecture ?? '?'}${image.Variant ? `/${image.Variant}` : ''}, not ${spec.platform}`,
    );
  }
  return image;
}
