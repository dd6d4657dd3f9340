/**
 * The files inside a wheel, from its `.dist-info/RECORD` (PEP 376/427):
 * path, size and hash. Read once per wheel, when the repository browser
 * first publishes its page, and kept beside the inventory
 * (`.farm/contents/<wheel>.json`) so pages can be re-rendered without
 * opening the wheel again.
 */
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import { z } from 'zod';

/** A RECORD larger than this is not a real one. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** `[path, size or null, hash or null]` per file, in RECORD order. */
export const WheelContents = z.strictObject({
  format: z.literal(1),
  files: z.array(z.tuple([z.string(), z.int().nonnegative().nullable(), z.string().nullable()])),
});
export type WheelContents = z.infer<typeof WheelContents>;

/**
 * Parses RECORD text (CSV as Python's `csv` module writes it). Rows that
 * aren't `path,hash,size` are kept with what they have; sizes that aren't
 * numbers are `null` (RECORD lists itself without hash or size).
 */
export function parseRecord(text: string): WheelContents {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as string[][];
  return {
    format: 1,
    files: rows
      .filter((row) => row.length > 0 && row[0] !== '')
      .map((row): [string, number | null, string | null] => {
        const size = row[2] !== undefined && /^\d+$/.test(row[2]) ? Number(row[2]) : null;
        const hash = row[1] !== undefined && row[1] !== '' ? row[1] : null;
        return [row[0]!, size, hash];
      }),
  };
}

/**
 * Reads the file list of the wheel at `file`: its RECORD, or, when it has
 * none (not a valid wheel, but seen in hand-made ones), the zip's own
 * directory with uncompressed sizes.
 */
export async function readWheelContents(file: string): Promise<WheelContents> {
  const zip = await yauzl.openPromise(file, { autoClose: false, strictFileNames: false, validateEntrySizes: true });
  try {
    const listed: [string, number | null, string | null][] = [];
    let record: yauzl.Entry | undefined;
    for await (const entry of zip.eachEntry()) {
      if (/^[^/]+\.dist-info\/RECORD$/.test(entry.fileName)) record = entry;
      if (!entry.fileName.endsWith('/')) listed.push([entry.fileName, entry.uncompressedSize, null]);
    }
    if (record === undefined || record.uncompressedSize > MAX_RECORD_BYTES) return { format: 1, files: listed };
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(record)) chunks.push(chunk as Buffer);
    return parseRecord(Buffer.concat(chunks).toString('utf8'));
  } finally {
    zip.close();
  }
}
