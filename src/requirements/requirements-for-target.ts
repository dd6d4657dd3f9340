/**
 * Narrows a parsed requirements file to one target and Python version by
 * evaluating every marker there. Pure: the same input gives the same list.
 */
import type { Target } from '../targets/catalog.js';
import { evaluateMarker } from './marker-evaluate.js';
import { markerEnvironment } from './marker-environment.js';
import type { Requirement } from './requirement.js';
import type { ParsedRequirements } from './requirements-file.js';

function keep(list: readonly Requirement[], target: Target, pythonVersion: string): readonly Requirement[] {
  const env = markerEnvironment(target, pythonVersion);
  return list.filter((r) => r.marker === null || evaluateMarker(r.marker, env, r.origin));
}

/**
 * The requirements that apply to `target` with Python `X.Y` (e.g. `3.11`), in
 * file order: those without a marker and those whose marker is true there.
 * Throws InputFileError for a marker comparison with no meaning (`~=` on
 * non-versions), naming the requirement's line.
 */
export function requirementsForTarget(
  parsed: ParsedRequirements,
  target: Target,
  pythonVersion: string,
): readonly Requirement[] {
  return keep(parsed.requirements, target, pythonVersion);
}

/** The constraints that apply to `target` and Python `X.Y`, like `requirementsForTarget`. */
export function constraintsForTarget(
  parsed: ParsedRequirements,
  target: Target,
  pythonVersion: string,
): readonly Requirement[] {
  return keep(parsed.constraints, target, pythonVersion);
}
