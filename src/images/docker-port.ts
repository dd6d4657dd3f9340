import type Docker from 'dockerode';

/**
 * The part of dockerode the image functions use. Passed in, so callers choose
 * the engine (farm's configured host) and tests can hand in a real client.
 */
export type ImagesDocker = Pick<Docker, 'getImage' | 'listImages' | 'loadImage' | 'pull' | 'createContainer' | 'modem'>;

/** What `docker image inspect` reports that farm relies on. */
export interface InspectedImage {
  readonly Id: string;
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
  readonly Architecture?: string;
  readonly Variant?: string;
  readonly Os?: string;
  readonly Config?: { readonly Labels?: Readonly<Record<string, string>> | null; readonly Env?: readonly string[] | null } | null;
}

/** `docker image inspect`, or undefined when the engine has no such image. */
export async function inspectImage(docker: Pick<ImagesDocker, 'getImage'>, image: string): Promise<InspectedImage | undefined> {
  try {
    return (await docker.getImage(image).inspect()) as InspectedImage;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Reads a progress stream of the Engine API (pull, import) to its end. The
 * engine reports failures inside the stream (`{"error": …}`) with HTTP 200,
 * so those are turned into a rejected promise here.
 */
export async function followStream(
  docker: Pick<ImagesDocker, 'modem'>,
  stream: NodeJS.ReadableStream,
  onEvent: (event: Record<string, unknown>) => void = () => {},
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: Record<string, unknown>[]) => {
        if (error !== null) reject(error);
        else resolve(output);
      },
      (event: Record<string, unknown>) => {
        onEvent(event);
      },
    );
  });
}

/** The error message an Engine API progress stream carried, if any. */
export function streamError(events: readonly Record<string, unknown>[]): string | undefined {
  for (const event of events) {
    const detail = event['errorDetail'] as { message?: unknown } | undefined;
    if (typeof event['error'] === 'string') return event['error'];
    if (detail !== undefined && typeof detail.message === 'string') return detail.message;
  }
  return undefined;
}
