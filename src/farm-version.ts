/** farm's own version, from package.json (one level up from both src/ and dist/). */
import { readFileSync } from 'node:fs';

let version: string | undefined;

/** `0.1.0`; `0.0.0` when package.json can't be read. */
export function farmVersion(): string {
  if (version !== undefined) return version;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    version = pkg.version ?? '0.0.0';
  } catch {
    version = '0.0.0';
  }
  return version;
}
