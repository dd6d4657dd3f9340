/**
 * The secrets of a Redis connection that do not belong in its URL: the TLS
 * files of a `rediss://` connection (CA, client certificate and key) and a
 * password file. Read when the connection is set up, so a missing or
 * unreadable file is reported at start, naming the setting.
 */
import fs from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { RedisTlsConfig } from '../config/schema.js';
import { HostError, MissingFileError } from '../errors.js';

/** `config.redis`'s security settings. */
export interface RedisSecurity {
  readonly tls?: RedisTlsConfig | undefined;
  readonly passwordFile?: string | undefined;
}

function readSetting(file: string, setting: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MissingFileError(file, { hint: `${setting} names a file that does not exist` });
    throw new HostError(`${file}: cannot read it (${code ?? (error as Error).message})`, { hint: `${setting} must name a file this user can read` });
  }
}

/**
 * ioredis options for the settings: `tls` with the files' contents for a
 * `rediss://` connection, `password` from the password file.
 */
export function securityOptions(rediss: boolean, security: RedisSecurity): Pick<RedisOptions, 'tls' | 'password'> {
  const options: Pick<RedisOptions, 'tls' | 'password'> = {};
  if (security.passwordFile !== undefined) {
    // A trailing newline is how editors and `echo` leave it; it is never part of the password.
    options.password = readSetting(security.passwordFile, 'redis.passwordFile (REDIS_PASSWORD_FILE)').toString('utf8').replace(/\r?\n$/, '');
  }
  if (rediss) {
    const tls = security.tls ?? {};
    options.tls = {
      ...(tls.ca === undefined ? {} : { ca: readSetting(tls.ca, 'redis.tls.ca (REDIS_TLS_CA)') }),
      ...(tls.cert === undefined ? {} : { cert: readSetting(tls.cert, 'redis.tls.cert (REDIS_TLS_CERT)') }),
      ...(tls.key === undefined ? {} : { key: readSetting(tls.key, 'redis.tls.key (REDIS_TLS_KEY)') }),
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    };
  }
  return options;
}
