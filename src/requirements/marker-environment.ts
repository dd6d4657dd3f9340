/**
 * The PEP 508 marker environment of a farm target: what `packaging.markers`
 * would report inside that target's CPython X.Y builder container.
 */
import { UsageError } from '../errors.js';
import type { Target } from '../targets/catalog.js';
import type { MarkerVariable } from './marker-ast.js';

/** A value for every marker variable. */
export type MarkerEnvironment = Readonly<Record<MarkerVariable, string>>;

/**
 * The environment markers are evaluated in for `target` and Python `X.Y`.
 * Values farm cannot know ahead of the build (the container's kernel release
 * and version, the patch level of Python) are fixed: `platform_release` and
 * `platform_version` are `''`, full versions are `X.Y.0`. `extra` is `''`, as
 * for a top-level requirement.
 */
export function markerEnvironment(target: Target, pythonVersion: string): MarkerEnvironment {
  if (!/^[0-9]{1,4}\.[0-9]{1,4}$/.test(pythonVersion)) {
    throw new UsageError(`invalid Python version '${pythonVersion}': expected X.Y, e.g. 3.11`);
  }
  const full = `${pythonVersion}.0`;
  return {
    implementation_name: 'cpython',
    implementation_version: full,
    os_name: 'posix',
    platform_machine: target.arch,
    platform_python_implementation: 'CPython',
    platform_release: '',
    platform_system: 'Linux',
    platform_version: '',
    python_full_version: full,
    python_version: pythonVersion,
    sys_platform: 'linux',
    extra: '',
  };
}
