/**
 * PEP 508 requirement parser:
 *
 *     requirement = name [extras] (('@' url [ws+ ';' marker]) | ([versionspec] [';' marker]))
 *     extras      = '[' [name (',' name)*] ']'
 *     versionspec = '(' clauses ')' | clauses
 *     clauses     = op version (',' op version)* [',']
 *
 * Each clause is validated through @renovatebot/pep440 (specifier-clause.ts); version text is never
 * compared or interpreted here. Like the marker parser it scans characters
 * by hand so that any input costs linear time.
 */
import { normalizeName } from '../wheels/normalize-name.js';
import type { MarkerNode } from './marker-ast.js';
import { parseMarker } from './marker-parser.js';
import type { Origin } from './requirement.js';
import { isValidSpecifierClause } from './specifier-clause.js';
import { syntaxError } from './syntax-error.js';

/** What a PEP 508 line says, before farm adds file-level context (hashes, origin). */
export interface Pep508Requirement {
  /** The project name as written. */
  readonly name: string;
  /** Normalised extras, sorted, without duplicates. */
  readonly extras: readonly string[];
  /** Clauses joined by `,` without spaces, e.g. `>=2.8.1,==2.8.*`; `''` for none. */
  readonly specifier: string;
  readonly url: string | null;
  readonly marker: MarkerNode | null;
}

const SPEC_OPS = ['===', '==', '~=', '!=', '<=', '>=', '<', '>'] as const;

const isAlnum = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
const isNameChar = (c: string | undefined): boolean => isAlnum(c) || c === '-' || c === '_' || c === '.';
const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';
/** PEP 508's version characters (for every operator but `===`). */
const isVersionChar = (c: string | undefined): boolean =>
  isAlnum(c) || c === '-' || c === '_' || c === '.' || c === '*' || c === '+' || c === '!';
/** `===` takes any legacy version string: anything up to (Unicode) whitespace, `,`, `;` or `)`. */
const isArbitraryVersionChar = (c: string | undefined): boolean =>
  c !== undefined && !/\s/.test(c) && c !== ',' && c !== ';' && c !== ')';

/**
 * Parses one PEP 508 requirement. Throws InputFileError at `origin`, naming
 * the column, for anything that is not a valid requirement.
 */
export function parseRequirement(text: string, origin: Origin): Pep508Requirement {
  let pos = 0;
  const fail = (message: string, at = pos): never => {
    throw syntaxError(origin, text, at, `invalid requirement: ${message}`);
  };
  const skipWs = (): void => {
    while (isWs(text[pos])) pos++;
  };
  const readName = (what: string): string => {
    if (!isAlnum(text[pos])) fail(`expected ${what} (a letter or digit)`);
    const from = pos;
    while (isNameChar(text[pos])) pos++;
    if (!isAlnum(text[pos - 1])) fail(`${what} must end with a letter or digit`, pos - 1);
    return text.slice(from, pos);
  };

  skipWs();
  const name = readName('a project name');
  skipWs();

  const extras = new Set<string>();
  if (text[pos] === '[') {
    pos++;
    skipWs();
    if (text[pos] !== ']') {
      for (;;) {
        extras.add(normalizeName(readName('an extra name')));
        skipWs();
        if (text[pos] !== ',') break;
        pos++;
        skipWs();
      }
    }
    if (text[pos] !== ']') fail(`expected ',' or ']' in extras`);
    pos++;
    skipWs();
  }

  let url: string | null = null;
  const clauses: string[] = [];
  if (text[pos] === '@') {
    pos++;
    skipWs();
    const from = pos;
    while (pos < text.length && !isWs(text[pos])) pos++;
    url = text.slice(from, pos);
    if (url === '') fail(`expected a URL after '@'`);
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || !URL.canParse(url)) fail(`invalid URL`, from);
    skipWs();
  } else {
    const parens = text[pos] === '(';
    if (parens) {
      pos++;
      skipWs();
    }
    const atClause = (): boolean => SPEC_OPS.some((op) => text.startsWith(op, pos));
    if (parens ? text[pos] !== ')' : atClause()) {
      for (;;) {
        const opAt = pos;
        const op = SPEC_OPS.find((o) => text.startsWith(o, pos));
        if (op === undefined) return fail(`expected a version operator (==, !=, <, <=, >, >=, ~=, ===)`);
        pos += op.length;
        skipWs();
        const from = pos;
        const isChar = op === '===' ? isArbitraryVersionChar : isVersionChar;
        while (isChar(text[pos])) pos++;
        const version = text.slice(from, pos);
        if (version === '') fail(`expected a version after '${op}'`);
        const clause = `${op}${version}`;
        if (!isValidSpecifierClause(clause)) fail(`invalid version specifier '${clause}'`, opAt);
        clauses.push(clause);
        skipWs();
        if (text[pos] !== ',') break;
        pos++;
        skipWs();
        // packaging (and so pip) accepts one trailing comma: `coverage != 3.5,`.
        if (!atClause()) break;
      }
    }
    if (parens) {
      if (text[pos] !== ')') fail(`expected ',' or ')' after a version specifier`);
      pos++;
      skipWs();
    }
  }

  let marker: MarkerNode | null = null;
  if (text[pos] === ';') {
    // After a URL the ';' must be separated by whitespace, or it is part of the URL.
    marker = parseMarker(text, origin, pos + 1);
  } else if (pos < text.length) {
    fail(
      url === null ? `expected a version specifier, ';' or the end of the line` : `expected ';' or the end of the line`,
    );
  }

  return { name, extras: [...extras].sort(), specifier: clauses.join(','), url, marker };
}
