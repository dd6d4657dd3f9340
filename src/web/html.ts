/**
 * Safe HTML by construction: `html\`…\`` escapes every interpolated value
 * unless it is itself `Html` (the result of another `html\`…\``, or `raw`).
 * Arrays are concatenated; `null`, `undefined` and `false` render nothing.
 * Pure.
 */
import { escapeHtml } from '../index/escape-html.js';

/** A fragment of markup that is already safe. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Something `html` can interpolate. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** The markup of the template with every value escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Markup from a trusted source (another renderer), unescaped. */
export function raw(markup: string): Html {
  return new Html(markup);
}
