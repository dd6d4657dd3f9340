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

/** A container joining a network, from Docker's network events. */
export interface NetworkConnect {
  /** The container's id. */
  container: string;
  /** The network's name: `none`, `host`, `bridge`, or a user network. */
  network: string;
}

/** Follows network `connect` events (every container joins exactly one network on start) until `stop()`. */
export async function followNetworkConnects(docker: Dockerode, onConnect: (event: NetworkConnect) => void): Promise<{ stop(): void }> {
  const stream = (await docker.getEvents({ filters: { type: ['network'], event: ['connect'] } })) as NodeJS.ReadableStream & { destroy(): void };
  const lines = new LineSplitter((line) => {
    if (line.trim() === '') return;
    const event = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
    const a = event.Actor?.Attributes ?? {};
    if (a['container'] !== undefined && a['name'] !== undefined) onConnect({ container: a['container'], network: a['name'] });
  });
  stream.on('data', (chunk: Buffer) => lines.push(chunk));
  stream.on('error', () => {});
  return { stop: () => stream.destroy() };
}
