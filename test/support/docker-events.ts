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
