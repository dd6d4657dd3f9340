/** Lists the entry names of a wheel (a zip), for the smoke test's module list. */
import yauzl from 'yauzl';
import { WheelRejectedError } from '../errors.js';

/** Every entry name in the archive. Throws `WheelRejectedError` for an unreadable zip. */
export async function readWheelEntries(file: string, displayName: string): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (error) {
    throw new WheelRejectedError(displayName, `not a readable zip archive (${(error as Error).message})`, { cause: error });
  }
  try {
    const names: string[] = [];
    for await (const entry of zip.eachEntry()) names.push(entry.fileName);
    return names;
  } catch (error) {
    throw new WheelRejectedError(displayName, `corrupt zip (${(error as Error).message})`, { cause: error });
  } finally {
    zip.close();
  }
}
