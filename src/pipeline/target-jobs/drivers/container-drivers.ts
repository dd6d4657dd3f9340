/**
 * The Python programs farm runs inside builder containers (`build.py`,
 * `smoke.py` beside this file), and the JSON each reads. Package names, URLs
 * and commands reach them only through that JSON file and argv lists, never
 * by being pasted into code or a shell string.
 *
 * The `.py` files are found beside this module: in `src/` when running from
 * the sources (tsx, vitest), in `dist/` after `npm run build` (which copies
 * them there).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MissingFileError } from '../../../errors.js';

/** The drivers farm ships. */
export type ContainerDriver = 'build.py' | 'smoke.py';

/** Host path of a driver, to copy into the container's input directory. */
export function containerDriverPath(driver: ContainerDriver): string {
  const file = fileURLToPath(new URL(`./${driver}`, import.meta.url));
  if (!existsSync(file)) throw new MissingFileError(file, { hint: 'farm is built without its container drivers: npm run build copies them into dist/' });
  return file;
}

/** What `build.py` reads. */
export interface BuildDriverConfig {
  python: string;
  /** Container path of the sdist. */
  sdist: string;
  indexUrl: string;
  extraIndexUrls: string[];
  setup: { argv: string[]; asRoot: boolean; env: Record<string, string> }[];
  env: Record<string, string>;
  pathPrepend: string[];
  buildRequires: string[];
  uid: number;
  gid: number;
  /** Run auditwheel when the image has it. */
  repair: boolean;
  /** Output directory: `raw/` and `final/` wheels, `result.json` (default `/out`). */
  outDir?: string;
  /** pip's debug log of the build's pip runs (`PIP_LOG`), read to classify a failure; unset: none. */
  pipLog?: string;
}

/** What `build.py` writes to `<outDir>/result.json`. */
export interface BuildDriverResult {
  /** The wheel in `final/`. */
  wheel: string;
  repaired: boolean;
  /** The wheel pip built, before repair. */
  built: string;
}

/** What `smoke.py` reads. */
export interface SmokeDriverConfig {
  python: string;
  /** Container path of the wheel under test. */
  wheel: string;
  findLinks: string[];
  /** Index URLs of the repository (a remote worker's served index); none: `--no-index`. */
  indexUrls: string[];
  modules: string[];
  /** Where the wheel is installed (default `/tmp/farm-smoke`). */
  site?: string;
}
