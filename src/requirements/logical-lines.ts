/**
 * The first stage of pip's requirements-file reader (`req_file.preprocess`):
 * split into lines like Python's `str.splitlines`, join `\` continuations,
 * strip comments and blank lines, expand `${VAR}`. Each logical line keeps
 * the number of its first physical line, which is what errors report.
 */

/** A non-blank line with comments removed and continuations joined. */
export interface LogicalLine {
  /** 1-based number of the first physical line. */
  readonly line: number;
  readonly text: string;
}

/** Variables `${NAME}` may expand to; unset or empty ones are left as written. */
export type RequirementsEnv = Readonly<Record<string, string | undefined>>;

/** Python's `str.splitlines` line boundaries. A single alternation: linear time. */
// eslint-disable-next-line no-control-regex -- \x1c-\x1e are line boundaries for Python, so for pip too.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's `str.isspace`, which `strip()` and the comment regex's `\s` use. */
const PY_SPACE = new Set([
  ' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680',
  '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a',
  '\u2028', '\u2029', '\u202f', '\u205f', '\u3000',
]);
const isSpace = (c: string | undefined): boolean => c !== undefined && PY_SPACE.has(c);

/** pip: `${NAME}` with upper-case letters, digits and `_` only (POSIX names). */
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

function splitLines(content: string): string[] {
  const lines = content.split(LINE_BREAK);
  // Like splitlines, a final line break does not start another (empty) line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function strip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  return text.slice(start, end);
}

/** pip's `COMMENT_RE.match`: the line starts with `#`, possibly after whitespace. */
function isCommentLine(line: string): boolean {
  let i = 0;
  while (isSpace(line[i])) i++;
  return line[i] === '#';
}

/** pip's `COMMENT_RE.sub`: cut from the first `#` at the start or after whitespace. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || isSpace(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Python's `line.strip("\\")`: backslashes off both ends. */
function stripBackslashes(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && line[start] === '\\') start++;
  while (end > start && line[end - 1] === '\\') end--;
  return line.slice(start, end);
}

/** pip's `join_lines`; a comment line ends a continuation instead of joining it. */
function joinContinuations(lines: readonly string[]): LogicalLine[] {
  const joined: LogicalLine[] = [];
  let pending: string[] = [];
  let first = 0;
  lines.forEach((raw, index) => {
    const comment = isCommentLine(raw);
    if (!raw.endsWith('\\') || comment) {
      // The leading space keeps a joined comment a comment: `foo \` + `# x`.
      const line = comment ? ` ${raw}` : raw;
      if (pending.length > 0) {
        pending.push(line);
        joined.push({ line: first, text: pending.join('') });
        pending = [];
      } else {
        joined.push({ line: index + 1, text: line });
      }
    } else {
      if (pending.length === 0) first = index + 1;
      pending.push(stripBackslashes(raw));
    }
  });
  if (pending.length > 0) joined.push({ line: first, text: pending.join('') });
  return joined;
}

/**
 * Turns a requirements file's text into its logical lines, exactly as pip
 * would see them (a leading byte-order mark is dropped first).
 */
export function logicalLines(content: string, env: RequirementsEnv = {}): LogicalLine[] {
  const text = content.startsWith('\ufeff') ? content.slice(1) : content;
  const result: LogicalLine[] = [];
  for (const { line, text: raw } of joinContinuations(splitLines(text))) {
    const stripped = strip(stripComment(raw));
    if (stripped === '') continue;
    const expanded = stripped.replace(ENV_VAR, (whole, name: string) => {
      const value = env[name];
      return value === undefined || value === '' ? whole : value;
    });
    result.push({ line, text: expanded });
  }
  return result;
}
