/**
 * A remote worker's connection to the main host: its token (read from a
 * file), the handshake that checks it may serve its targets, and the two
 * ports the pipeline uses in place of a repository root: `RemoteRepository`
 * (served index in, uploads out) and a log sink that ships build logs.
 *
 * Revocation: the token is checked again every `checkIntervalMs`, and every
 * delivery answered 401 says the same. Either way `revoked` aborts; the
 * worker then stops taking jobs and hands back the ones it holds, which go
 * back to the queue for another worker (`JobHandedBackError`).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { FarmConfig } from '../config/schema.js';
import { AccessDeniedError, JobHandedBackError, MissingFileError, UsageError } from '../errors.js';
import type { WorkerHello } from '../api/worker-api/worker-hello.js';
import type { LogSink } from '../pipeline/contract/log-sink.js';
import { looksLikeTokenSecret } from '../tokens/token-secret.js';
import { LogShipper } from './log-shipper.js';
import { RemoteRepository } from './remote-repository.js';
import { ServedIndex } from './served-index.js';
import { FarmServerClient } from './server-client.js';

/** How a remote worker reaches the main host. */
export interface RemoteWorkerSettings {
  /** farm api's URL, e.g. `https://farm.example/`. */
  readonly serverUrl: string;
  /** A file holding the worker token (`farm tokens create` on the main host). */
  readonly tokenFile: string;
}

/** A remote worker's state directory: `stateDir` when configured, else a directory of this user's. */
export function remoteStateDir(config: FarmConfig): string {
  if (config.stateDir !== undefined) return config.stateDir;
  return process.getuid?.() === 0 ? '/var/lib/farm-worker' : path.join(homedir(), '.local', 'state', 'farm-worker');
}

/** Reads a token file: one `farm_...` secret, surrounding blanks ignored. */
export async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MissingFileError(file, { hint: 'make a token on the main host: farm tokens create --name <name> --targets <targets> > token-file' });
    }
    throw new UsageError(`${file}: cannot read the token (${(error as Error).message})`);
  }
  const token = text.trim();
  if (!looksLikeTokenSecret(token)) {
    throw new UsageError(`${file} does not hold a farm token (farm_ and 43 characters)`, {
      hint: 'put the line farm tokens create printed on the main host into it, and nothing else',
    });
  }
  return token;
}

export class RemoteSession {
  readonly #revoked = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  readonly repository: RemoteRepository;
  readonly logs: LogSink;

  private constructor(
    readonly client: FarmServerClient,
    readonly hello: WorkerHello,
    readonly index: ServedIndex,
    private readonly targets: readonly string[],
    private readonly log: (line: string) => void,
  ) {
    const deliver = <T>(delivery: () => Promise<T>) => this.#deliver(delivery);
    this.repository = new RemoteRepository(client, index, deliver);
    this.logs = {
      open: async (file, ref) => {
        const shipper = new LogShipper(client, file, ref, { onError: (e) => log(`shipping ${path.basename(file)}: ${(e as Error).message}; retrying`) });
        await deliver(() => shipper.start());
        return { finish: () => deliver(() => shipper.finish()) };
      },
    };
  }

  /**
   * Reads the token and says hello. Throws `AccessDeniedError` (a wrong or
   * revoked token: 401; targets outside its scope: 403) or `TransientError`
   * (the server can't be reached) at once: a worker that can't deliver must
   * not start.
   */
  static async open(settings: RemoteWorkerSettings, targets: readonly string[], log: (line: string) => void = () => {}): Promise<RemoteSession> {
    const token = await readTokenFile(settings.tokenFile);
    const client = new FarmServerClient({ serverUrl: settings.serverUrl, token, onRetry: (message) => log(message) });
    const hello = await client.hello(targets);
    const index = new ServedIndex(hello.indexUrl ?? settings.serverUrl);
    return new RemoteSession(client, hello, index, targets, log);
  }

  /** Aborts (with the `AccessDeniedError`) once the server refused the token. */
  get revoked(): AbortSignal {
    return this.#revoked.signal;
  }

  /** Checks the token every `intervalMs` until `close()`. */
  watch(intervalMs: number): void {
    this.#timer ??= setInterval(() => {
      this.client.hello(this.targets).catch((error: unknown) => {
        if (error instanceof AccessDeniedError) this.#revoke(error);
        else this.log(`token check: ${(error as Error).message}`);
      });
    }, intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #revoke(error: AccessDeniedError): void {
    if (this.#revoked.signal.aborted) return;
    this.log(`the server refused this worker's token: ${error.message}`);
    this.#revoked.abort(error);
  }

  /** A 401 on any delivery means the token is gone: revoke, and hand the job back. */
  async #deliver<T>(delivery: () => Promise<T>): Promise<T> {
    if (this.#revoked.signal.aborted) throw new JobHandedBackError(`the token of this worker was refused: ${(this.#revoked.signal.reason as Error).message}`);
    try {
      return await delivery();
    } catch (error) {
      if (error instanceof AccessDeniedError && error.status === 401) {
        this.#revoke(error);
        throw new JobHandedBackError(`the token of this worker was refused: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}
