import type { RequirementsSource } from '../../../src/requirements/requirements-source.js';

/** An in-memory RequirementsSource; missing files throw like a real read would. */
export function memorySource(files: Readonly<Record<string, string>>): RequirementsSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read(path: string): string {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
  };
}
