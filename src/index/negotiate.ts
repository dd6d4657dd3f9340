import { LEGACY_HTML, SIMPLE_HTML, SIMPLE_JSON, type SimpleContentType } from './content-types.js';

/** One media range of an `Accept` header. */
export interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/**
 * Parses an `Accept` header into media ranges. Malformed entries are dropped;
 * a missing or empty header means `*\/*` (PEP 691).
 */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*', subtype: '*', q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType, ...params] = part.split(';');
    const match = /^\s*([!#$%&'*+.^_`|~0-9a-z-]+)\/([!#$%&'*+.^_`|~0-9a-z-]+)\s*$/i.exec(mediaType ?? '');
    if (match === null) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() !== 'q') continue;
      if (value === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) ranges.push({ type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), q });
  }
  return ranges;
}

/** The `latest` meta-version resolves to v1, the only version farm serves. */
const ALIASES: Record<SimpleContentType, readonly string[]> = {
  [SIMPLE_JSON]: [SIMPLE_JSON, 'application/vnd.pypi.simple.latest+json'],
  [SIMPLE_HTML]: [SIMPLE_HTML, 'application/vnd.pypi.simple.latest+html'],
  [LEGACY_HTML]: [LEGACY_HTML],
};

/** Server preference among explicitly named types: the most expressive format first (PEP 691). */
const EXPLICIT_PREFERENCE: readonly SimpleContentType[] = [SIMPLE_JSON, SIMPLE_HTML, LEGACY_HTML];
/**
 * Among types only reached through `*\/*`, HTML first: `*\/*` (or no
 * header) comes from browsers, curl and old tools that expect PEP 503 HTML.
 * This is also what the shipped nginx config does.
 */
const WILDCARD_PREFERENCE: readonly SimpleContentType[] = [LEGACY_HTML, SIMPLE_HTML, SIMPLE_JSON];

/**
 * Picks the representation of a simple-API page for a request (PEP 691
 * server-driven negotiation): highest q-value wins; on a tie a type the
 * client named beats one matched by a wildcard, then the server's
 * preference decides. A `format` URL parameter naming one of the types
 * (PEP 691's optional alternative) takes precedence.
 *
 * @returns `null` when nothing acceptable is on offer (answer 406).
 */
export function negotiateSimple(accept: string | undefined, format?: string | null): SimpleContentType | null {
  if (format !== undefined && format !== null && format !== '') {
    // `?format=application/vnd.pypi.simple.v1+json` typed literally: form
    // decoding turned the `+` into a space. No media type has a space.
    const wanted = format.trim().toLowerCase().replace(/ /g, '+');
    for (const type of EXPLICIT_PREFERENCE) if (ALIASES[type].includes(wanted)) return type;
  }
  const ranges = parseAccept(accept);
  let best: { type: SimpleContentType; q: number; specificity: number; rank: number } | null = null;
  for (const type of EXPLICIT_PREFERENCE) {
    const { q, specificity } = qualityOf(type, ranges);
    if (q <= 0) continue;
    const rank = (specificity === 1 ? WILDCARD_PREFERENCE : EXPLICIT_PREFERENCE).indexOf(type);
    if (
      best === null ||
      q > best.q ||
      (q === best.q && (specificity > best.specificity || (specificity === best.specificity && rank < best.rank)))
    ) {
      best = { type, q, specificity, rank };
    }
  }
  return best?.type ?? null;
}

/** q of the most specific range matching `type` (RFC 9110 §12.5.1), and how specific it was (3 exact … 1 `*\/*`). */
function qualityOf(type: SimpleContentType, ranges: readonly MediaRange[]): { q: number; specificity: number } {
  let found = { q: 0, specificity: 0 };
  for (const alias of ALIASES[type]) {
    const [t, s] = alias.split('/') as [string, string];
    for (const r of ranges) {
      const specificity = r.type === t && r.subtype === s ? 3 : r.type === t && r.subtype === '*' ? 2 : r.type === '*' && r.subtype === '*' ? 1 : 0;
      if (specificity > found.specificity || (specificity === found.specificity && specificity > 0 && r.q > found.q)) {
        found = { q: r.q, specificity };
      }
    }
  }
  return found;
}
