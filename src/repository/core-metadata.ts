/**
 * The fields of a wheel's `.dist-info/METADATA` (core metadata, an RFC 822
 * style header block) that the repository records and the index publishes.
 */
export interface CoreMetadata {
  readonly name: string;
  readonly version: string;
  readonly requiresPython: string | null;
  readonly requiresDist: readonly string[];
  readonly summary: string | null;
}

/**
 * Parses the header block of a core metadata file. Only the headers matter:
 * parsing stops at the first empty line (the description body follows it).
 * Continuation lines (starting with whitespace) are folded into the previous
 * header, as the email format says.
 *
 * @returns `null` when `Name` or `Version` is missing: such a file is not core
 *   metadata, and the caller rejects the wheel.
 */
export function parseCoreMetadata(text: string): CoreMetadata | null {
  const headers = new Map<string, string[]>();
  let last: { key: string; values: string[] } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line)) {
      if (last !== undefined && last.values.length > 0) {
        last.values[last.values.length - 1] += `\n${line.trim()}`;
      }
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = headers.get(key) ?? [];
    values.push(value);
    headers.set(key, values);
    last = { key, values };
  }
  const first = (key: string): string | null => {
    const value = headers.get(key)?.[0];
    return value === undefined || value === '' ? null : value;
  };
  const name = first('name');
  const version = first('version');
  if (name === null || version === null) return null;
  return {
    name,
    version,
    requiresPython: first('requires-python'),
    requiresDist: headers.get('requires-dist') ?? [],
    summary: first('summary'),
  };
}
