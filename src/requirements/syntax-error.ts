/**
 * Builds the `file:line: reason` errors of the requirements parsers, quoting
 * the offending text (shortened, escaped) so a reader can find the problem in
 * a long or binary-looking line.
 */
import { InputFileError } from '../errors.js';
import type { Origin } from './requirement.js';

const MAX_QUOTED = 80;

/** Quotes `text` for an error message: JSON-escaped, long text shortened. */
export function quoteForError(text: string): string {
  const short = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(short);
}

/** A syntax error at `index` (0-based) in `text`. */
export function syntaxError(
  origin: Origin,
  text: string,
  index: number,
  message: string,
): InputFileError {
  return new InputFileError(
    origin.file,
    origin.line,
    `${message} at column ${index + 1} of ${quoteForError(text)}`,
  );
}
