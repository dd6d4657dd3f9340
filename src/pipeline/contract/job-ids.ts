/**
 * Job ids are the deduplication keys of the farm: two requests that need the
 * same wheel compute the same id, and BullMQ keeps one job per id. Pure.
 */
import { createHash } from 'node:crypto';

/** Everything that decides what a build produces. */
export interface BuildIdentity {
  /** Normalised project name. */
  name: string;
  version: string;
  target: string;
  python: string;
  /** Image reference, with its digest when known. */
  image: string;
  /** `recipeHash()` of the effective recipe. */
  recipeHash: string;
  /** The build environment: `name==version` of every wheel the compile installs, in any order. */
  buildEnv?: readonly string[];
}

/** BullMQ ids must not contain `:` and must not look like integers. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._+!-]+/g, '_').slice(0, 60);
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 20);
}

/**
 * `build-<name>-<version>-<target>-py<python>-<hash>`: readable in the
 * dashboard, unique per identity. The hash covers every field in full, so
 * the readable part may be truncated without merging distinct builds.
 */
export function buildJobId(id: BuildIdentity): string {
  const env = [...(id.buildEnv ?? [])].sort().join(' ');
  const hash = digest(['build/2', id.name, id.version, id.target, id.python, id.image, id.recipeHash, env]);
  return `build-${slug(id.name)}-${slug(id.version)}-${id.target}-py${id.python}-${hash}`;
}

/** `mirror-<repository>-<file>-<hash>`: one per wheel file and repository. */
export function mirrorJobId(repository: string, filename: string, sha256: string | undefined): string {
  const hash = digest(['mirror/1', repository, filename, sha256 ?? '']);
  return `mirror-${slug(repository)}-${slug(filename)}-${hash}`;
}

/** `resolve-<request>-<target>-py<python>`: resolutions are per request, never shared. */
export function resolveJobId(requestId: string, target: string, python: string): string {
  return `resolve-${requestId}-${target}-py${python}`;
}
