/**
 * The API's pino logger. Secrets must never reach a log: signature and token
 * headers are redacted wherever they appear, and request URLs are logged
 * without their query string (the dashboard accepts its token there once).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { SECRET_HEADERS } from './forges.js';

/** Options of `createApiLogger`. */
export interface ApiLoggerOptions {
  level?: string;
  /** Where JSON lines go (default stdout); tests pass a capturing stream. */
  stream?: DestinationStream;
}

interface LoggableRequest {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

/** A pino logger configured for `farm api`. */
export function createApiLogger(options: ApiLoggerOptions = {}): Logger {
  const paths = SECRET_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `headers["${h}"]`]);
  return pino(
    {
      name: 'farm-api',
      level: options.level ?? 'info',
      redact: { paths, censor: '[redacted]' },
      serializers: {
        req: (req: LoggableRequest) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
          ip: req.ip,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    options.stream ?? pino.destination(1),
  );
}
