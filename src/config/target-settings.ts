import { TARGETS, type Target } from '../targets/catalog.js';
import type { FarmConfig } from './schema.js';

/** A catalog target with the config's overrides applied. */
export interface TargetSettings {
  readonly target: Target;
  /** Repository directory name under the root. */
  readonly repository: string;
  readonly pythonVersions: readonly string[];
  /** Explicit image from config; unset means "choose by images.source". */
  readonly image: string | undefined;
}

/** Applies `targets.<id>` and the global `python` list to a catalog target. */
export function targetSettings(config: FarmConfig, target: Target): TargetSettings {
  const own = config.targets[target.id] ?? {};
  return {
    target,
    repository: own.repository ?? target.repository,
    pythonVersions: own.python ?? config.python,
    image: own.image,
  };
}

/** Settings of every catalog target. */
export function allTargetSettings(config: FarmConfig): TargetSettings[] {
  return [...TARGETS.values()].map((t) => targetSettings(config, t));
}
