/**
 * What every command gets: the terminal, styles, the config (loaded lazily,
 * honouring the global `--config`), and injectable dependencies for tests.
 */
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { FarmConfig } from '../config/schema.js';
import { MissingFileError } from '../errors.js';
import type { DoctorProbes } from './doctor/checks.js';
import type { CliIo } from './io.js';
import { makeStyle, type Style } from './render/style.js';

/**
 * Replaceable pieces, for tests that run the CLI in-process. Integration
 * tests use these only to point at test copies of host files (e.g. a
 * binfmt_misc directory with a disabled handler), never to fake services.
 */
export interface CliDeps {
  /** Overrides of doctor's host probes. */
  doctorProbes?: Partial<DoctorProbes>;
  /** Where doctor reads binfmt_misc handlers (default `/proc/sys/fs/binfmt_misc`). */
  binfmtDir?: string;
}

/** The per-run context every command receives. */
export interface CliContext {
  readonly io: CliIo;
  readonly style: Style;
  readonly deps: CliDeps;
  /** The config file named by `--config`, if given. */
  configFile: string | undefined;
  /** Loads the config once: `--config`, else `FARM_CONFIG`, else `./farm.config.yaml`, plus the environment. */
  config(): Promise<FarmConfig>;
  /** Resolves a path the user typed against the working directory. */
  resolvePath(p: string): string;
  /** Prints lines to standard output. */
  print(...lines: string[]): void;
  /** Prints lines to standard error. */
  warn(...lines: string[]): void;
}

/** Creates the context for one CLI run. */
export function createContext(io: CliIo, deps: CliDeps = {}): CliContext {
  let loaded: Promise<FarmConfig> | undefined;
  const ctx: CliContext = {
    io,
    style: makeStyle(io.color),
    deps,
    configFile: undefined,
    config() {
      const flag = ctx.configFile;
      loaded ??= loadConfig(flag === undefined ? io.env : { ...io.env, FARM_CONFIG: ctx.resolvePath(flag) }, io.cwd).catch(
        (error: unknown) => {
          // load-config's hint speaks of FARM_CONFIG; here the flag named the file.
          if (flag !== undefined && error instanceof MissingFileError) {
            throw new MissingFileError(error.file, { hint: '--config must name an existing farm.config.yaml' });
          }
          throw error;
        },
      );
      return loaded;
    },
    resolvePath: (p) => path.resolve(io.cwd, p),
    print: (...lines) => io.out(lines.map((l) => `${l}\n`).join('')),
    warn: (...lines) => io.err(lines.map((l) => `${l}\n`).join('')),
  };
  return ctx;
}
