import yauzl from 'yauzl';
import { WheelRejectedError } from '../errors.js';

/**
 * Most entries a wheel may have. The largest real wheels hold some tens of
 * thousands of files (plotly ~20,000); 200,000 tiny entries is a probe that
 * costs a minute of central-directory parsing.
 */
export const MAX_WHEEL_ENTRIES = 50_000;

/** Core metadata is a few kilobytes; anything this large is not a real METADATA file. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/** What a wheel's archive says about itself. */
export interface WheelArchiveMetadata {
  /** The `<name>-<version>.dist-info` directory. */
  readonly distInfo: string;
  /** The exact bytes of `<dist-info>/METADATA` (published as `<wheel>.metadata`, PEP 658). */
  readonly metadata: Buffer;
  readonly entryCount: number;
}

/**
 * Opens `file` as a zip (reading its whole central directory) and extracts
 * the one top-level `*.dist-info/METADATA`.
 *
 * @param displayName the name to put in errors (the wheel's filename).
 * @throws WheelRejectedError when the file is not a readable zip, has more
 *   than `MAX_WHEEL_ENTRIES` entries, no or several `.dist-info/METADATA`,
 *   or the METADATA is implausibly large.
 */
export async function readWheelMetadata(file: string, displayName: string): Promise<WheelArchiveMetadata> {
  const reject = (reason: string, cause?: unknown): never => {
    throw new WheelRejectedError(displayName, reason, cause === undefined ? {} : { cause });
  };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (error) {
    return reject(`not a readable zip archive (${(error as Error).message})`, error);
  }
  try {
    // The count comes from the end-of-central-directory record: refuse before reading the entries.
    if (zip.entryCount > MAX_WHEEL_ENTRIES) {
      reject(`${zip.entryCount} entries; farm accepts at most ${MAX_WHEEL_ENTRIES} in a wheel`);
    }
    const candidates: yauzl.Entry[] = [];
    let entryCount = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        entryCount += 1;
        if (/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) candidates.push(entry);
      }
    } catch (error) {
      return reject(`corrupt zip central directory (${(error as Error).message})`, error);
    }
    if (candidates.length === 0) reject('no <name>-<version>.dist-info/METADATA in the archive');
    if (candidates.length > 1) {
      reject(`several .dist-info/METADATA files: ${candidates.map((e) => e.fileName).join(', ')}`);
    }
    const entry = candidates[0]!;
    if (entry.uncompressedSize > MAX_METADATA_BYTES) reject(`METADATA is ${entry.uncompressedSize} bytes; refusing`);
    let metadata: Buffer;
    try {
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      metadata = Buffer.concat(chunks);
    } catch (error) {
      return reject(`METADATA can't be read (${(error as Error).message})`, error);
    }
    return { distInfo: entry.fileName.slice(0, entry.fileName.indexOf('/')), metadata, entryCount };
  } finally {
    zip.close();
  }
}
