/**
 * PEP 508 environment-marker parser: a hand-written recursive descent over
 * the grammar
 *
 *     marker  = or
 *     or      = and ('or' and)*
 *     and     = atom ('and' atom)*
 *     atom    = '(' marker ')' | operand op operand
 *     operand = variable | '"…"' | "'…'"
 *     op      = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not' 'in'
 *
 * No regular expressions touch the input, so hostile lines cost linear time;
 * nesting is capped so they cannot exhaust the stack either.
 */
import {
  MARKER_VARIABLES,
  VERSION_VARIABLES,
  type MarkerNode,
  type MarkerOp,
  type MarkerOperand,
  type MarkerVariable,
} from './marker-ast.js';
import type { Origin } from './requirement.js';
import { syntaxError } from './syntax-error.js';

/** Deeper parentheses than this are refused rather than recursed into. */
export const MAX_MARKER_NESTING = 64;

/** Old spellings `packaging` still accepts, mapped to PEP 508 names. */
const ALIASES: ReadonlyMap<string, MarkerVariable> = new Map([
  ['os.name', 'os_name'],
  ['sys.platform', 'sys_platform'],
  ['platform.version', 'platform_version'],
  ['platform.machine', 'platform_machine'],
  ['platform.python_implementation', 'platform_python_implementation'],
  ['python_implementation', 'platform_python_implementation'],
]);
const VARIABLES: ReadonlySet<string> = new Set(MARKER_VARIABLES);

/** Symbolic operators, longest first so `===` is not read as `==`. */
const SYMBOL_OPS: readonly MarkerOp[] = ['===', '==', '~=', '!=', '<=', '>=', '<', '>'];

const isWordChar = (c: string | undefined): boolean =>
  c !== undefined &&
  ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c === '.');

/**
 * Parses the marker in `text` from `start` to the end (the part after a
 * requirement's `;`). Throws InputFileError at `origin` on any syntax error.
 */
export function parseMarker(text: string, origin: Origin, start = 0): MarkerNode {
  let pos = start;

  const fail = (message: string, at = pos): never => {
    throw syntaxError(origin, text, at, `invalid marker: ${message}`);
  };
  const skipWs = (): void => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  const readWord = (): string => {
    const from = pos;
    while (isWordChar(text[pos])) pos++;
    return text.slice(from, pos);
  };
  /** Reads a keyword if the next word is exactly it; otherwise leaves `pos`. */
  const acceptKeyword = (keyword: string): boolean => {
    skipWs();
    const from = pos;
    if (readWord() === keyword) return true;
    pos = from;
    return false;
  };

  const parseOperand = (): MarkerOperand => {
    skipWs();
    const c = text[pos];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, pos + 1);
      if (close < 0) fail(`unterminated string`);
      const value = text.slice(pos + 1, close);
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        // PEP 508 strings have no escapes; packaging would read `\x` as one, so refuse rather than differ.
        if (value[i] === '\\' || (code < 0x20 && code !== 0x09) || code === 0x7f) {
          fail(`marker strings cannot contain backslashes or control characters`, pos + 1 + i);
        }
      }
      pos = close + 1;
      return { kind: 'string', value };
    }
    const from = pos;
    const word = readWord();
    if (word === '') fail(`expected a marker variable or a quoted string`);
    const name = VARIABLES.has(word) ? (word as MarkerVariable) : ALIASES.get(word);
    if (name === undefined) fail(`unknown marker variable '${word}' (quote string values)`, from);
    return { kind: 'variable', name: name! };
  };

  const parseOp = (): MarkerOp => {
    skipWs();
    for (const op of SYMBOL_OPS) {
      if (text.startsWith(op, pos)) {
        pos += op.length;
        return op;
      }
    }
    const from = pos;
    const word = readWord();
    if (word === 'in') return 'in';
    if (word === 'not') {
      const afterNot = pos;
      skipWs();
      if (pos > afterNot && readWord() === 'in') return 'not in';
    }
    return fail(`expected a comparison operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)`, from);
  };

  const parseAtom = (depth: number): MarkerNode => {
    skipWs();
    if (text[pos] === '(') {
      if (depth >= MAX_MARKER_NESTING) fail(`parentheses nested deeper than ${MAX_MARKER_NESTING}`);
      pos++;
      const inner = parseOr(depth + 1);
      skipWs();
      if (text[pos] !== ')') fail(`expected ')'`);
      pos++;
      return inner;
    }
    const opAt = pos;
    const left = parseOperand();
    const op = parseOp();
    const right = parseOperand();
    if ((left.kind === 'variable') === (right.kind === 'variable')) {
      fail(`a comparison needs a marker variable on one side and a quoted string on the other`, opAt);
    }
    const variable = left.kind === 'variable' ? left.name : right.kind === 'variable' ? right.name : undefined;
    if ((op === '~=' || op === '===') && variable !== undefined && !VERSION_VARIABLES.has(variable)) {
      // packaging only fails when evaluating; refusing it here gives the error without a target.
      fail(`${op} compares versions, and ${variable} is not a version`, opAt);
    }
    return { kind: 'compare', left, op, right };
  };

  const parseChain = (kind: 'and' | 'or', depth: number): MarkerNode => {
    const parts: MarkerNode[] = [];
    const push = (node: MarkerNode): void => {
      // Flatten `a and (b and c)`: same meaning, shallower tree.
      if (node.kind === kind) for (const operand of node.operands) parts.push(operand);
      else parts.push(node);
    };
    push(kind === 'or' ? parseChain('and', depth) : parseAtom(depth));
    while (acceptKeyword(kind)) {
      push(kind === 'or' ? parseChain('and', depth) : parseAtom(depth));
    }
    return parts.length === 1 ? parts[0]! : { kind, operands: parts };
  };
  const parseOr = (depth: number): MarkerNode => parseChain('or', depth);

  const marker = parseOr(0);
  skipWs();
  if (pos < text.length) fail(`expected 'and', 'or' or the end of the marker`);
  return marker;
}
