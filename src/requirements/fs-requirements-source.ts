/** The filesystem adapter for the requirements parser: the only file here that touches the disk. */
import { readFile } from 'node:fs/promises';
import { MissingFileError } from '../errors.js';
import type { RequirementsSource } from './requirements-source.js';

/** Reads requirements files from the local filesystem as UTF-8. */
export const fsRequirementsSource: RequirementsSource = {
  async read(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new MissingFileError(path, { cause: error });
    }
  },
};
