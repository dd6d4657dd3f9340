/**
 * The Python programs farm runs inside builder containers (`resolve.py`,
 * `build.py`, `repair.py`, `smoke.py` beside this file), and the JSON each
 * reads. Package names, URLs
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
export type ContainerDriver = 'build.py' | 'smoke.py' | 'resolve.py' | 'repair.py';

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
  /** Container paths of the wheels the compile installs (its build environment), in farm's repository. */
  buildDeps: string[];
  /** The recipe's environment for the compile. */
  env: Record<string, string>;
  pathPrepend: string[];
  /** The compile may reach the network (recipe `network: true`); otherwise a local proxy records attempts. */
  network: boolean;
  /** Library name patterns that stay external (see src/targets/base-system.ts). */
  externalLibraries: string[];
  /** Runtime packages whose files stay external too. */
  runtimePackages: { manager: string; packages: string[] }[];
  /** Output directory: `raw/`, `final/`, `libs/`, `result.json`, `vendor.json` (default `/out`). */
  outDir?: string;
  /** Scratch directory for the build environment (default `/tmp/farm-build`). */
  workDir?: string;
}

/** What `build.py` writes to `<outDir>/result.json` (also when the build failed). */
export interface BuildDriverResult {
  /** The wheel in `final/` (with `repair: 'vendor'`: the wheel in `raw/` that `repair.py` completes). */
  wheel: string | null;
  /** The wheel pip built. */
  built: string | null;
  repair: 'none' | 'auditwheel' | 'vendor' | null;
  /** What a compile with the network off tried to fetch. */
  networkAttempts: string[];
}

/** What `repair.py` reads. */
export interface RepairDriverConfig {
  python: string;
  /** The wheel `build.py` built. */
  wheel: string;
  /** `vendor.json` from `build.py`, and the directory of the libraries it copied. */
  vendorJson: string;
  libsDir: string;
  outDir?: string;
  /** pip's debug log of the build's pip runs (`PIP_LOG`), read to classify a failure; unset: none. */
  pipLog?: string;
}

/** What `repair.py` writes to `<outDir>/repair.json`. */
export interface RepairDriverResult {
  wheel: string;
  vendored: { soname: string; path: string; sha256: string; package?: string }[];
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

/** One requirement set `resolve.py` resolves with pip. */
export interface DriverResolution {
  /** Names the report: `<outDir>/report-<id>.json`. */
  id: string;
  /** pip arguments after the options: `-r`/`-c` files, or `--` and requirements. */
  args: string[];
  /** Projects pip may only take as wheels (`--only-binary`): how a build cycle starts from upstream wheels. */
  onlyBinary?: string[];
}

/** What `resolve.py` reads. */
export interface ResolveDriverConfig {
  python: string;
  /** `--index-url`, `--extra-index-url`, `--find-links`: see `indexOptions`. */
  indexOptions: string[];
  resolutions: DriverResolution[];
  /** `name==version` of sdists an earlier round discovered already. */
  known: string[];
  /** Find the build requirements of the sdists in the reports (default true). */
  discover: boolean;
  outDir?: string;
  workDir?: string;
}
