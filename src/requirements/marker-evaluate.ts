/**
 * Evaluates a parsed marker in an environment, with the semantics of
 * `packaging.markers` (26.x, what current pip vendors or will):
 *
 * - the version-like variables (`python_version`, `python_full_version`,
 *   `implementation_version`, `platform_release`) compare as PEP 440 versions
 *   through @renovatebot/pep440 whenever the operator and the right-hand side
 *   form a valid specifier; a value that is not a version then matches nothing
 *   (except `===`, which compares text);
 * - everything else compares as strings: `==`/`!=`, `in`/`not in` (substring),
 *   `<=`/`>=` mean equality and `<`/`>` are false, as `packaging` defines them;
 * - `~=` and `===` on strings have no meaning: an InputFileError.
 */
import { satisfies, valid } from '@renovatebot/pep440';
import { InputFileError } from '../errors.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { VERSION_VARIABLES, type MarkerNode, type MarkerOp } from './marker-ast.js';
import type { MarkerEnvironment } from './marker-environment.js';
import type { Origin } from './requirement.js';
import { isValidSpecifierClause } from './specifier-clause.js';

type Comparison = Extract<MarkerNode, { kind: 'compare' }>;

function compareAsVersions(left: string, op: MarkerOp, right: string): boolean | undefined {
  if (op === 'in' || op === 'not in') return undefined;
  const specifier = `${op}${right}`;
  if (!isValidSpecifierClause(specifier)) return undefined;
  if (valid(left) !== null) return satisfies(left, specifier, { prereleases: true });
  return op === '===' && left.toLowerCase() === right.toLowerCase();
}

function compareAsStrings(left: string, op: MarkerOp, right: string): boolean | undefined {
  switch (op) {
    case '==':
    case '<=':
    case '>=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
    case '>':
      return false;
    case 'in':
      return right.includes(left);
    case 'not in':
      return !right.includes(left);
    case '~=':
    case '===':
      return undefined;
  }
}

function compare(node: Comparison, env: MarkerEnvironment, origin: Origin): boolean {
  const variable =
    node.left.kind === 'variable' ? node.left.name : node.right.kind === 'variable' ? node.right.name : undefined;
  let left = node.left.kind === 'string' ? node.left.value : env[node.left.name];
  let right = node.right.kind === 'string' ? node.right.value : env[node.right.name];
  if (variable === 'extra') {
    // PEP 685: extra names compare normalised.
    left = normalizeName(left);
    right = normalizeName(right);
  }
  const result =
    (variable !== undefined && VERSION_VARIABLES.has(variable) ? compareAsVersions(left, node.op, right) : undefined) ??
    compareAsStrings(left, node.op, right);
  if (result === undefined) {
    throw new InputFileError(
      origin.file,
      origin.line,
      `invalid marker: ${JSON.stringify(left)} ${node.op} ${JSON.stringify(right)} is undefined: ` +
        `${node.op} needs PEP 440 versions`,
    );
  }
  return result;
}

/**
 * True when `marker` holds in `env`. `origin` names the requirement line in
 * the InputFileError thrown for comparisons that have no meaning.
 */
export function evaluateMarker(marker: MarkerNode, env: MarkerEnvironment, origin: Origin): boolean {
  switch (marker.kind) {
    case 'compare':
      return compare(marker, env, origin);
    case 'and':
      return marker.operands.every((m) => evaluateMarker(m, env, origin));
    case 'or':
      return marker.operands.some((m) => evaluateMarker(m, env, origin));
  }
}
