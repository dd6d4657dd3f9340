import { pino } from 'pino';

/** One line of the access log. */
export interface AccessLogEntry {
  readonly time: string;
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly status: number;
  /** The request's `Accept` header, so a log shows which API a client asked for. */
  readonly accept: string | null;
  /** The `Content-Type` served (for a 304: the type of the representation it confirms). */
  readonly contentType: string | null;
  readonly bytes: number;
  readonly durationMs: number;
  readonly remote: string | null;
  readonly userAgent: string | null;
}

/** Receives one entry per request. */
export type AccessLogger = (entry: AccessLogEntry) => void;

/** The default: one JSON line per request on stdout (pino). */
export function pinoAccessLogger(): AccessLogger {
  const logger = pino({ name: 'farm-serve' });
  return (entry) => logger.info(entry, `${entry.method} ${entry.url} ${entry.status}`);
}
