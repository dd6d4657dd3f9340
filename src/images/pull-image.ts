import { NotFoundError, TransientError } from '../errors.js';
import type { DockerPlatform } from '../targets/catalog.js';
import { followStream, streamError, type ImagesDocker } from './docker-port.js';
import { imageDigest, type ImageIdentity } from './image-digest.js';
import type { OnImageProgress } from './progress.js';
import { PullProgress, type PullEvent } from './pull-progress.js';

export interface PullOptions {
  /** Target id shown in progress lines. */
  readonly target?: string;
  /** Pull this platform's variant of a multi-platform image. */
  readonly platform?: DockerPlatform;
  readonly onProgress?: OnImageProgress;
}

/**
 * Classifies a failed pull. Pure. An unknown image or tag is permanent; an
 * unreachable registry may be temporary, and on an offline site the fix is
 * the bootstrap images.
 */
export function pullError(image: string, message: string, statusCode?: number): NotFoundError | TransientError {
  if (statusCode === 404 || /not found|manifest unknown|does not exist/i.test(message)) {
    return new NotFoundError(`image ${image} not found in its registry: ${message}`, {
      hint: 'check targets.<id>.image in the config',
    });
  }
  return new TransientError(`pulling ${image} failed: ${message}`, {
    hint: 'without registry access, run `farm images bootstrap` and set images.source: bootstrap',
  });
}

/**
 * Pulls an official (or configured) image with progress, and returns its ID
 * and registry digest so the build can record exactly what it ran in.
 */
export async function pullImage(
  docker: Pick<ImagesDocker, 'pull' | 'getImage' | 'modem'>,
  image: string,
  options: PullOptions = {},
): Promise<ImageIdentity> {
  const target = options.target ?? '-';
  const onProgress = options.onProgress ?? (() => {});
  const started = Date.now();
  onProgress({ kind: 'start', target, image, message: `pulling${options.platform ? ` (${options.platform})` : ''}` });
  const progress = new PullProgress();
  let events: Record<string, unknown>[];
  try {
    const stream = (await docker.pull(image, options.platform ? { platform: options.platform } : {})) as NodeJS.ReadableStream;
    events = await followStream(docker, stream, (event) => {
      const line = progress.feed(event as PullEvent);
      if (line !== undefined) onProgress({ kind: 'line', target, image, phase: 'pull', line });
    });
  } catch (error) {
    throw pullError(image, (error as Error).message, (error as { statusCode?: number }).statusCode);
  }
  const failed = streamError(events);
  if (failed !== undefined) throw pullError(image, failed);
  const identity = await imageDigest(docker, image);
  onProgress({
    kind: 'done',
    target,
    image,
    status: 'pulled',
    message: `pulled ${identity.reference}`,
    durationMs: Date.now() - started,
  });
  return identity;
}
