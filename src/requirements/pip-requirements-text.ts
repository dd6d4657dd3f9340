/**
 * Renders requirements back into requirements.txt text: the canonical form
 * farm feeds to pip inside a build container, and the form used in logs.
 */
import { formatMarker } from './marker-format.js';
import type { RecordedOption, Requirement } from './requirement.js';

/** Options for `formatRequirement`. */
export interface FormatRequirementOptions {
  /** Append `; marker` (default true). */
  readonly marker?: boolean;
}

/**
 * One requirement as a PEP 508 line with its hashes:
 * `requests[security]>=2.8.1,==2.8.* ; python_version < "2.7" --hash=sha256:…`.
 * The name is the normalised one. Parsing the result gives the same requirement.
 */
export function formatRequirement(requirement: Requirement, options: FormatRequirementOptions = {}): string {
  const extras = requirement.extras.length > 0 ? `[${requirement.extras.join(',')}]` : '';
  let line = `${requirement.name}${extras}`;
  // The space before ';' matters after a URL: without it the ';' would be part of the URL.
  line += requirement.url !== null ? ` @ ${requirement.url}` : requirement.specifier;
  if (requirement.marker !== null && options.marker !== false) line += ` ; ${formatMarker(requirement.marker)}`;
  for (const hash of requirement.hashes) line += ` --hash=${hash}`;
  return line;
}

/** Quotes an option value for pip's `shlex.split` when it needs it. */
function shellWord(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_.,:=+/@%-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** Options for `toPipRequirementsText`. */
export interface PipRequirementsTextOptions {
  /** Global pip switches to write first (`ParsedRequirements.pipOptions`). */
  readonly pipOptions?: readonly RecordedOption[];
}

/**
 * A requirements.txt for pip: the given options first, then one requirement
 * per line with its hashes. Markers are left out: the caller has already
 * evaluated them for the target (`requirementsForTarget`), and pip must build
 * exactly what farm decided, not re-decide with the container's patch-level
 * Python version.
 */
export function toPipRequirementsText(
  requirements: readonly Requirement[],
  options: PipRequirementsTextOptions = {},
): string {
  const lines = (options.pipOptions ?? []).map((o) =>
    o.value === null ? o.option : `${o.option}=${shellWord(o.value)}`,
  );
  for (const requirement of requirements) lines.push(formatRequirement(requirement, { marker: false }));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
