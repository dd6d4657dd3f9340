/**
 * The pip options a requirements file may contain, and what farm does with
 * each. Parsing follows optparse as pip uses it (`--opt=value`,
 * `--opt value`, `-ovalue`, `-o value`) but without abbreviated long names:
 * anything not spelled out here is refused as unknown.
 */
import { InputFileError } from '../errors.js';
import type { Origin } from './requirement.js';
import { shlexSplit } from './shlex-split.js';
import { quoteForError } from './syntax-error.js';

/**
 * - `include`: `-r`/`-c`, read another file;
 * - `hash`: per-requirement `--hash`;
 * - `source`: changes where code comes from; refused unless allowed;
 * - `global`: harmless resolver switches, recorded and passed on to pip;
 * - `build`: per-requirement build settings, refused (recipes own builds).
 */
export type PipOptionKind = 'include' | 'hash' | 'source' | 'global' | 'build';

/** One option farm knows. */
export interface PipOptionSpec {
  readonly long: string;
  readonly short?: string;
  readonly takesValue: boolean;
  readonly kind: PipOptionKind;
  /** Why it is refused (`source`, `build`), for the error message. */
  readonly reason?: string;
  /** The fix, for the error's hint. */
  readonly hint?: string;
}

const CONFIG_HINT = 'remove the line; farm takes package sources from farm.config.yaml';

/** Every option of pip's requirements-file format. */
export const PIP_OPTIONS: readonly PipOptionSpec[] = [
  { long: '--requirement', short: '-r', takesValue: true, kind: 'include' },
  { long: '--constraint', short: '-c', takesValue: true, kind: 'include' },
  { long: '--hash', takesValue: true, kind: 'hash' },
  {
    long: '--index-url',
    short: '-i',
    takesValue: true,
    kind: 'source',
    reason: 'it replaces the package index farm downloads sources from',
    hint: `${CONFIG_HINT} (upstream.indexUrl)`,
  },
  {
    long: '--extra-index-url',
    takesValue: true,
    kind: 'source',
    reason: 'it adds a package index farm did not configure',
    hint: `${CONFIG_HINT} (upstream.extraIndexUrls)`,
  },
  {
    long: '--no-index',
    takesValue: false,
    kind: 'source',
    reason: "it turns off farm's configured package index",
    hint: CONFIG_HINT,
  },
  {
    long: '--find-links',
    short: '-f',
    takesValue: true,
    kind: 'source',
    reason: 'it adds a download location outside the configured package index',
    hint: `${CONFIG_HINT} (upstream.extraIndexUrls)`,
  },
  {
    long: '--trusted-host',
    takesValue: true,
    kind: 'source',
    reason: 'it lets pip download from a host without verified HTTPS',
    hint: CONFIG_HINT,
  },
  {
    long: '--editable',
    short: '-e',
    takesValue: true,
    kind: 'source',
    reason: 'editable installs build from a local checkout or VCS URL, not from a published release',
    hint: 'name a released version instead, or use `name @ url` for a fixed archive',
  },
  { long: '--pre', takesValue: false, kind: 'global' },
  { long: '--prefer-binary', takesValue: false, kind: 'global' },
  { long: '--require-hashes', takesValue: false, kind: 'global' },
  { long: '--only-binary', takesValue: true, kind: 'global' },
  { long: '--no-binary', takesValue: true, kind: 'global' },
  { long: '--use-feature', takesValue: true, kind: 'global' },
  {
    long: '--global-option',
    takesValue: true,
    kind: 'build',
    reason: 'farm configures builds in recipes, not per requirement line',
    hint: 'move the setting into the project recipe (recipes/<name>.yaml)',
  },
  {
    long: '--config-settings',
    short: '-C',
    takesValue: true,
    kind: 'build',
    reason: 'farm configures builds in recipes, not per requirement line',
    hint: 'move the setting into the project recipe (recipes/<name>.yaml)',
  },
];

const BY_LONG = new Map(PIP_OPTIONS.map((o) => [o.long, o]));
const BY_SHORT = new Map(PIP_OPTIONS.filter((o) => o.short !== undefined).map((o) => [o.short!, o]));

/** An option as found on a line. */
export interface FoundOption {
  readonly spec: PipOptionSpec;
  /** How it was written (`-i` or `--index-url`), for messages. */
  readonly written: string;
  readonly value: string | null;
}

/** How an option is named in messages: `-r/--requirement`. */
export const optionLabel = (spec: PipOptionSpec): string =>
  spec.short === undefined ? spec.long : `${spec.short}/${spec.long}`;

/**
 * Parses the option part of a requirements line (everything from the first
 * word starting with `-`). Throws InputFileError at `origin` for unknown
 * options, missing or unexpected values and stray arguments.
 */
export function parsePipOptions(text: string, origin: Origin): FoundOption[] {
  const fail = (reason: string): never => {
    throw new InputFileError(origin.file, origin.line, reason);
  };
  const split = shlexSplit(text);
  if (!split.ok) return fail(`cannot split options ${quoteForError(text)}: ${split.error}`);
  const words = split.words;
  const found: FoundOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      const spec = BY_LONG.get(name);
      if (spec === undefined) return fail(`unknown option ${quoteForError(name)}`);
      if (!spec.takesValue) {
        if (eq >= 0) fail(`${name} does not take a value`);
        found.push({ spec, written: name, value: null });
      } else if (eq >= 0) {
        found.push({ spec, written: name, value: word.slice(eq + 1) });
      } else {
        const value = words[++i];
        if (value === undefined) fail(`${name} requires a value`);
        found.push({ spec, written: name, value: value! });
      }
    } else if (word.startsWith('-') && word.length > 1 && word !== '--') {
      const name = word.slice(0, 2);
      const spec = BY_SHORT.get(name);
      if (spec === undefined) return fail(`unknown option ${quoteForError(name)}`);
      if (!spec.takesValue) {
        if (word.length > 2) fail(`${name} does not take a value`);
        found.push({ spec, written: name, value: null });
        continue;
      }
      const value = word.length > 2 ? word.slice(2) : words[++i];
      if (value === undefined) fail(`${name} requires a value`);
      found.push({ spec, written: name, value: value! });
    } else {
      fail(`unexpected argument ${quoteForError(word)} among options`);
    }
  }
  return found;
}
