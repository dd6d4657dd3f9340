/**
 * A remote worker's HTTP client of `farm api`: the worker handshake, wheel
 * uploads (the legacy upload protocol, the same one twine speaks) and build
 * log pieces. Transient failures are retried with exponential backoff
 * (p-retry); everything else is thrown at once as farm's typed errors.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import pRetry from 'p-retry';
import { TransientError, type FarmError } from '../errors.js';
import { hashFile } from '../files/hash-file.js';
import type { BuildProvenance } from '../repository/inventory-schema.js';
import { validate } from '../validation/validate.js';
import { parseWheelFilename } from '../wheels/wheel-filename.js';
import { WorkerHello } from '../api/worker-api/worker-hello.js';
import { errorForAnswer, errorForNoAnswer, type Call, type ErrorBody } from './server-answer.js';

/** How a client reaches the server. */
export interface ServerClientOptions {
  /** farm api's base URL, e.g. `https://farm.example/`. */
  readonly serverUrl: string;
  /** The worker's token (sent as a Bearer token; never logged). */
  readonly token: string;
  /** Retries of a transient failure per call (default 6: about a minute). */
  readonly retries?: number;
  /** First backoff (default 1 s); doubles up to `maxBackoffMs` (default 20 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told about each failed attempt that will be retried. */
  readonly onRetry?: (message: string) => void;
}

/** Where a build log lives on the server: `<request>/<name>/<target>-py<X.Y>.log`. */
export interface RemoteLogRef {
  readonly requestId: string;
  /** Normalised project name, or `_resolve`. */
  readonly name: string;
  readonly target: string;
  readonly python: string;
}

/** A piece of a log, as the server took it. */
export interface LogAppendResult {
  /** The server's size of the log after this piece. */
  readonly size: number;
  /** The log's path on the server (`farm logs` reads it there). */
  readonly path: string;
  /** The piece started past the server's end: resend from `size`. */
  readonly gap: boolean;
}

/** What an upload carries besides the file. */
export interface UploadOptions {
  /** Name to publish under (default: the file's base name). */
  readonly filename?: string;
  /** The target the worker built it for (checked against the token's scope). */
  readonly target?: string;
  readonly provenance?: BuildProvenance;
  readonly signal?: AbortSignal;
}

/** The server's answer to an upload. */
export interface UploadAnswer {
  readonly filename: string;
  readonly sha256: string;
  readonly status: string;
}

export class FarmServerClient {
  readonly #base: URL;

  constructor(private readonly options: ServerClientOptions) {
    this.#base = new URL(options.serverUrl.endsWith('/') ? options.serverUrl : `${options.serverUrl}/`);
  }

  /** The server's origin, for messages. */
  get origin(): string {
    return this.#base.origin;
  }

  /**
   * Checks the token may serve `targets` and learns where the repositories
   * are served. Throws `AccessDeniedError` (401/403) at once.
   */
  async hello(targets: readonly string[], signal?: AbortSignal): Promise<WorkerHello> {
    const url = new URL(`api/v1/worker/hello?targets=${encodeURIComponent(targets.join(','))}`, this.#base);
    const call: Call = { what: 'worker hello', url: url.href };
    const body = await this.#send(call, () => ({ method: 'GET' }), signal);
    return validate(WorkerHello, body, `${url.origin} hello answer`);
  }

  /**
   * Uploads a wheel into `repository`. The sha256 announced is computed here
   * and checked by the server against what arrives. Same bytes again (a
   * retry after a lost answer) are answered `unchanged`.
   */
  async upload(repository: string, file: string, options: UploadOptions = {}): Promise<UploadAnswer> {
    const filename = options.filename ?? path.basename(file);
    const wheel = parseWheelFilename(filename);
    const { sha256 } = await hashFile(file);
    const url = new URL(`${encodeURIComponent(repository)}/upload/`, this.#base);
    const call: Call = { what: `upload of ${filename} to ${repository}`, url: url.href, wheel: filename };
    const fields: [string, string][] = [
      [':action', 'file_upload'],
      ['protocol_version', '1'],
      ['name', wheel.distribution],
      ['version', wheel.version],
      ['filetype', 'bdist_wheel'],
      ['pyversion', wheel.pythonTags.join('.')],
      ['sha256_digest', sha256],
      ...(options.target === undefined ? [] : [['farm_target', options.target] as [string, string]]),
      ...(options.provenance === undefined ? [] : [['farm_provenance', JSON.stringify(options.provenance)] as [string, string]]),
    ];
    const body = await this.#send(
      call,
      async () => {
        const form = new FormData();
        for (const [key, value] of fields) form.append(key, value);
        form.append('content', await openAsBlob(file, { type: 'application/octet-stream' }), filename);
        return { method: 'POST', body: form };
      },
      options.signal,
    );
    return body as UploadAnswer;
  }

  /** Appends `piece` at byte `offset` of a build log on the server. */
  async appendLog(ref: RemoteLogRef, offset: number, piece: Buffer, signal?: AbortSignal): Promise<LogAppendResult> {
    const parts = [ref.requestId, ref.name, `${ref.target}-py${ref.python}.log`].map(encodeURIComponent);
    const url = new URL(`api/v1/worker/logs/${parts.join('/')}`, this.#base);
    const call: Call = { what: `log ${parts.join('/')}`, url: url.href };
    const body = (await this.#send(
      call,
      () => ({ method: 'POST', body: piece, headers: { 'content-type': 'application/octet-stream', 'x-farm-log-offset': String(offset) } }),
      signal,
      [409],
    )) as { size: number; path: string; status?: number };
    return { size: body.size, path: body.path, gap: body.status === 409 };
  }

  /**
   * One call with retries of transient failures. `accept` lists non-2xx
   * statuses that are answers, not errors (their JSON body is returned with
   * `status` added).
   */
  async #send(
    call: Call,
    init: () => RequestInit | Promise<RequestInit>,
    signal: AbortSignal | undefined,
    accept: readonly number[] = [],
  ): Promise<unknown> {
    const attempt = async (): Promise<unknown> => {
      const request = await init();
      let response: Response;
      try {
        response = await fetch(call.url, {
          ...request,
          headers: { ...(request.headers as Record<string, string> | undefined), authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (error) {
        if (signal?.aborted === true) throw error;
        throw errorForNoAnswer(call, error);
      }
      const text = await response.text().catch(() => '');
      let body: unknown;
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch {
        body = { message: text.slice(0, 200) };
      }
      if (response.ok) return body;
      if (accept.includes(response.status)) return { ...(body as object), status: response.status };
      throw errorForAnswer(call, response.status, body as ErrorBody);
    };
    return pRetry(attempt, {
      retries: this.options.retries ?? 6,
      minTimeout: this.options.minBackoffMs ?? 1000,
      maxTimeout: this.options.maxBackoffMs ?? 20_000,
      randomize: true,
      ...(signal === undefined ? {} : { signal }),
      shouldRetry: ({ error }) => error instanceof TransientError,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof TransientError && retriesLeft > 0) {
          this.options.onRetry?.(`${(error as FarmError).message}; attempt ${attemptNumber + 1} of ${attemptNumber + retriesLeft}`);
        }
      },
    });
  }
}
