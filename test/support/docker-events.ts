import type Dockerode from 'dockerode';
import { LineSplitter } from '../../src/images/line-splitter.js';

/** One container event from Docker's `/events` stream, the fields tests read. */
export interface ContainerEvent {
  id: string;
  status: string;
  timeNano: number;
  Actor?: { Attributes?: Record<string, string> };
}

/**
 * Follows farm's container events (`farm.managed=true`) of the given kinds,
 * calling `onEvent` for each, until `stop()`.
 */
export async function followContainerEvents(
  docker: Dockerode,
  events: readonly string[],
  onEvent: (event: ContainerEvent) => void,
): Promise<{ stop(): void }> {
  const stream = (await docker.getEvents({
    filters: { type: ['container'], event: [...events], label: ['farm.managed=true'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  const lines = new LineSplitter((line) => {
    if (line.trim() !== '') onEvent(JSON.parse(line) as ContainerEvent);
  });
  stream.on('data', (chunk: Buffer) => lines.push(chunk));
  stream.on('error', () => {});
  return { stop: () => stream.destroy() };
}

/** The network a farm container ran in, seen when it started. */
export interface NetworkConnect {
  /** The container's id. */
  container: string;
  /**
   * The network's name: `none`, `host`, `bridge`, or a user network. For a
   * container that joined another's namespace (a network holder), that
   * container's network.
   */
  network: string;
  /** The container whose namespace it joined (`NetworkMode: container:<id>`), if any. */
  joined?: string;
}

/**
 * Follows farm containers' starts (until `stop()`) and reports the network
 * each runs in, read from the engine while it runs: a container that joins
 * a network holder emits no network event of its own.
 */
export async function followNetworkConnects(docker: Dockerode, onConnect: (event: NetworkConnect) => void): Promise<{ stop(): void }> {
  const modeOf = async (id: string): Promise<string> => {
    try {
      return String((await docker.getContainer(id).inspect()).HostConfig.NetworkMode);
    } catch {
      return 'unknown (gone before it was inspected)';
    }
  };
  return followContainerEvents(docker, ['start'], (event) => {
    void (async () => {
      const mode = await modeOf(event.id);
      const joined = /^container:([0-9a-f]+)$/.exec(mode)?.[1];
      if (joined === undefined) return onConnect({ container: event.id, network: mode });
      onConnect({ container: event.id, network: await modeOf(joined), joined });
    })();
  });
}
