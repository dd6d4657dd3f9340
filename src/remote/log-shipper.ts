/**
 * Ships a build log that grows on a remote worker's disk to the server,
 * piece by piece while the build runs (so `farm logs --follow` on the main
 * host follows it) and completely when the job ends (`finish`). Each piece
 * names its byte offset, and the server appends idempotently, so a piece
 * resent after a lost answer, or after the server restarted, never doubles
 * a line; a gap is answered with the server's size and filled from there.
 */
import { open, stat } from 'node:fs/promises';
import type { FarmServerClient, RemoteLogRef } from './server-client.js';

export interface LogShipperOptions {
  /** How often new bytes are shipped while the build runs (default 2 s). */
  readonly intervalMs?: number;
  /** Largest piece per request (default 1 MiB). */
  readonly pieceBytes?: number;
  /** Told once when shipping during the build fails (it is retried at the next tick and at `finish`). */
  readonly onError?: (error: unknown) => void;
}

export class LogShipper {
  /**
   * Where this job's part begins: the local file's size and the server's
   * log size when shipping started. Logs are appended by every attempt, and
   * attempts may run on different workers, so local position `p` is server
   * offset `serverStart + (p - localStart)`.
   */
  #start: { local: number; server: number } | undefined;
  /** Local bytes the server is known to have. */
  #sent = 0;
  #path: string | undefined;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #warned = false;

  constructor(
    private readonly client: Pick<FarmServerClient, 'appendLog'>,
    /** The log on the worker's disk. */
    readonly file: string,
    readonly ref: RemoteLogRef,
    private readonly options: LogShipperOptions = {},
  ) {}

  /** Starts shipping in the background from the log's current end. */
  async start(): Promise<this> {
    await this.#enqueue();
    this.#timer ??= setInterval(() => {
      void this.#enqueue().catch((error: unknown) => {
        if (!this.#warned) this.options.onError?.(error);
        this.#warned = true;
      });
    }, this.options.intervalMs ?? 2000);
    this.#timer.unref();
    return this;
  }

  /**
   * Stops the background shipping and ships everything written so far.
   * Returns the log's path on the server. Throws when the server can't be
   * reached within the client's retries.
   */
  async finish(): Promise<string> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#enqueue();
    return this.#path ?? '';
  }

  /** One shipping pass at a time, in order. */
  #enqueue(): Promise<void> {
    const next = this.#chain.catch(() => {}).then(() => this.#ship());
    this.#chain = next;
    return next;
  }

  async #ship(): Promise<void> {
    const size = await localSize(this.file);
    if (this.#start === undefined) {
      // An empty piece at offset 0 is answered with the server's size and path.
      const answer = await this.client.appendLog(this.ref, 0, Buffer.alloc(0));
      this.#start = { local: size, server: answer.size };
      this.#sent = size;
      this.#path = answer.path;
      return;
    }
    if (size <= this.#sent) return;
    const handle = await open(this.file, 'r');
    try {
      const pieceBytes = this.options.pieceBytes ?? 1024 * 1024;
      let start: { local: number; server: number } = this.#start;
      while (this.#sent < size) {
        const { local, server } = start;
        const piece = Buffer.alloc(Math.min(pieceBytes, size - this.#sent));
        const { bytesRead } = await handle.read(piece, 0, piece.length, this.#sent);
        if (bytesRead === 0) break;
        const answer = await this.client.appendLog(this.ref, server + this.#sent - local, piece.subarray(0, bytesRead));
        this.#path = answer.path;
        if (!answer.gap) {
          this.#sent += bytesRead;
        } else if (answer.size >= server) {
          // The server lost the end of our part (restored from a backup?): resend from where it stops.
          this.#sent = local + (answer.size - server);
        } else {
          // It lost more than our part (the log was removed): our part goes after what it has.
          start = { local, server: answer.size };
          this.#start = start;
          this.#sent = local;
        }
      }
    } finally {
      await handle.close();
    }
  }
}

async function localSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
