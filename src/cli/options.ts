/**
 * Parsing of option values shared by several commands. Each bad value is a
 * `UsageError` that names the option and says what was expected.
 */
import { UsageError } from '../errors.js';
import { PythonVersion } from '../pipeline/contract/request-types.js';

/** `--python 3.11,3.12` → `['3.11', '3.12']`. */
export function parsePythonList(value: string): string[] {
  const versions = [...new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (versions.length === 0) throw new UsageError('--python is empty; expected versions like 3.11,3.12');
  const bad = versions.filter((v) => !PythonVersion.safeParse(v).success);
  if (bad.length > 0) {
    throw new UsageError(`--python: ${bad.map((b) => `'${b}'`).join(', ')} is not a Python version; expected e.g. 3.11,3.12`);
  }
  return versions;
}

/** An http(s) URL option such as `--index-url`. */
export function parseHttpUrl(option: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option}: '${value}' is not a URL; expected e.g. https://pypi.org/simple/`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${option}: '${value}' must be an http:// or https:// URL`);
  }
  return value;
}

/** A TCP port option. */
export function parsePort(option: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${option}: '${value}' is not a port number (0-65535)`);
  }
  return port;
}

/** A positive integer option such as `--concurrency`. */
export function parsePositiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`${option}: '${value}' is not a positive integer`);
  return n;
}

/** The help footer listing examples, docker-style. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
