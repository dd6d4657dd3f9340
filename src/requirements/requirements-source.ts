/**
 * How the requirements parser reads files. The parser itself does no I/O:
 * the CLI passes the filesystem adapter (fs-requirements-source.ts), tests
 * pass an in-memory map.
 */

/** Reads a requirements file by the path the parser computed. */
export interface RequirementsSource {
  /**
   * The file's text. Throws when it cannot be read (the filesystem adapter
   * throws MissingFileError); the parser reports failed includes at the
   * `-r`/`-c` line that named them.
   */
  read(path: string): Promise<string> | string;
}
