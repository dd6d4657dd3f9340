import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, MissingFileError } from '../errors.js';
import { validate, validateYaml } from '../validation/validate.js';
import { FarmConfig } from './schema.js';

/** The environment variables that override the config file. */
export interface ConfigEnv {
  FARM_CONFIG?: string | undefined;
  FARM_ROOT?: string | undefined;
  FARM_INDEX_URL?: string | undefined;
  FARM_RECIPES?: string | undefined;
  REDIS_URL?: string | undefined;
  /** `redis.tls.ca`, `.cert`, `.key` and `redis.passwordFile`. */
  REDIS_TLS_CA?: string | undefined;
  REDIS_TLS_CERT?: string | undefined;
  REDIS_TLS_KEY?: string | undefined;
  REDIS_PASSWORD_FILE?: string | undefined;
  DOCKER_HOST?: string | undefined;
}

/** The default config file, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'farm.config.yaml';

/**
 * Parses config text and applies environment overrides. Pure: the caller
 * reads the file. Environment values are validated by the same schema, so a
 * bad `REDIS_URL` is reported like a bad `redis.url`. Relative paths in the
 * file are relative to `baseDir` (the file's directory); relative paths in the
 * environment are relative to the working directory.
 */
export function parseConfig(
  text: string | undefined,
  source: string,
  env: ConfigEnv = {},
  baseDir: string = process.cwd(),
): FarmConfig {
  const fromFile = text === undefined ? FarmConfig.parse({}) : validateYaml(FarmConfig, text, source);
  fromFile.root = path.resolve(baseDir, fromFile.root);
  if (fromFile.stateDir !== undefined) fromFile.stateDir = path.resolve(baseDir, fromFile.stateDir);
  if (fromFile.recipes.dir !== undefined) fromFile.recipes.dir = path.resolve(baseDir, fromFile.recipes.dir);
  if (fromFile.redis.passwordFile !== undefined) fromFile.redis.passwordFile = path.resolve(baseDir, fromFile.redis.passwordFile);
  const tls = fromFile.redis.tls;
  if (tls !== undefined) {
    for (const key of ['ca', 'cert', 'key'] as const) if (tls[key] !== undefined) tls[key] = path.resolve(baseDir, tls[key]);
  }
  const merged: Record<string, unknown> = structuredClone(fromFile);
  const set = (key: string, value: unknown) => {
    merged[key] = { ...(merged[key] as object), ...(value as object) };
  };
  if (env.FARM_ROOT) merged['root'] = env.FARM_ROOT;
  if (env.REDIS_URL) set('redis', { url: env.REDIS_URL });
  if (env.REDIS_PASSWORD_FILE) set('redis', { passwordFile: path.resolve(env.REDIS_PASSWORD_FILE) });
  const tlsEnv = { ca: env.REDIS_TLS_CA, cert: env.REDIS_TLS_CERT, key: env.REDIS_TLS_KEY };
  for (const [key, value] of Object.entries(tlsEnv)) {
    if (!value) continue;
    const redis = merged['redis'] as { tls?: Record<string, string> };
    set('redis', { tls: { ...redis.tls, [key]: path.resolve(value) } });
  }
  if (env.FARM_INDEX_URL) set('upstream', { indexUrl: env.FARM_INDEX_URL });
  if (env.FARM_RECIPES) set('recipes', { dir: env.FARM_RECIPES });
  if (env.DOCKER_HOST) {
    const first = fromFile.docker.hosts[0]!;
    set('docker', { hosts: [{ ...first, url: env.DOCKER_HOST }] });
  }
  const config = validate(FarmConfig, merged, `${source} (with environment overrides)`);
  config.root = path.resolve(config.root);
  if (config.recipes.dir !== undefined) config.recipes.dir = path.resolve(config.recipes.dir);
  return config;
}

/**
 * Loads `FARM_CONFIG`, else `./farm.config.yaml` when present, else defaults;
 * then applies the environment. A `FARM_CONFIG` that does not exist is an
 * error, a missing default file is not.
 */
export async function loadConfig(env: ConfigEnv = process.env, cwd = process.cwd()): Promise<FarmConfig> {
  const explicit = env.FARM_CONFIG;
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || explicit !== undefined) {
      if (code === 'ENOENT') throw new MissingFileError(file, { hint: 'unset FARM_CONFIG or point it at a file' });
      throw new ConfigError(file, [{ path: '', message: (error as Error).message }]);
    }
  }
  return parseConfig(text, file, env, path.dirname(file));
}

/** Where farm keeps logs, locks and the embedded Redis socket. */
export function stateDir(config: FarmConfig): string {
  return config.stateDir ?? path.join(config.root, '.farm');
}
