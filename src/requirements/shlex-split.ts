/**
 * Python's `shlex.split` (POSIX mode), which pip applies to the option part
 * of a requirements line: whitespace separates words, `'…'` is literal,
 * `"…"` honours `\"` and `\\`, a bare backslash escapes the next character.
 */

/** The words, or why the text cannot be split (same wording as Python). */
export type ShlexResult =
  | { readonly ok: true; readonly words: string[] }
  | { readonly ok: false; readonly error: string };

const isSplitSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Splits `text` into words like `shlex.split(text)`. */
export function shlexSplit(text: string): ShlexResult {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSplitSpace(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, error: 'No escaped character' };
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'" || c === '"') {
      const close = c === "'" ? text.indexOf("'", i + 1) : closingDoubleQuote(text, i + 1);
      if (close < 0) return { ok: false, error: 'No closing quotation' };
      const body = text.slice(i + 1, close);
      word += c === "'" ? body : unescapeDoubleQuoted(body);
      inWord = true;
      i = close + 1;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}

function closingDoubleQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function unescapeDoubleQuoted(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const next = body[i + 1];
    if (body[i] === '\\' && (next === '"' || next === '\\')) {
      out += next;
      i++;
    } else {
      out += body[i];
    }
  }
  return out;
}
