/**
 * The syntax tree of a PEP 508 environment marker. `and`/`or` nodes are
 * n-ary (a chain of a thousand `and`s is one node, not a thousand-deep tree),
 * so evaluating and printing only recurse as deep as the parentheses nest.
 */

/** Every marker variable PEP 508 defines, by its canonical name. */
export const MARKER_VARIABLES = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
  'extra',
] as const;

/** A marker variable name, e.g. `python_version`. */
export type MarkerVariable = (typeof MARKER_VARIABLES)[number];

/**
 * Variables whose values are versions (packaging's MARKERS_REQUIRING_VERSION):
 * only these compare as PEP 440 versions.
 */
export const VERSION_VARIABLES: ReadonlySet<MarkerVariable> = new Set<MarkerVariable>([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);

/** Comparison operators allowed between a marker variable and a string. */
export type MarkerOp = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';

/** One side of a comparison: a variable or a quoted string's contents. */
export type MarkerOperand =
  | { readonly kind: 'variable'; readonly name: MarkerVariable }
  | { readonly kind: 'string'; readonly value: string };

/** A comparison, or an `and`/`or` of at least two sub-markers. */
export type MarkerNode =
  | {
      readonly kind: 'compare';
      readonly left: MarkerOperand;
      readonly op: MarkerOp;
      readonly right: MarkerOperand;
    }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly MarkerNode[] };
