/**
 * pip requirements-file parser (https://pip.pypa.io/en/stable/reference/requirements-file-format/),
 * following pip's `req_file.py`: logical lines, then each line is split into
 * a PEP 508 part and an options part at the first word starting with `-`.
 * Stricter than pip where pip would silently ignore something (an option
 * that does nothing on a requirement line, a stray argument, `--hash` without
 * a requirement): every problem is an InputFileError naming `file:line`.
 */
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { InputFileError } from '../errors.js';
import { normalizeName } from '../wheels/normalize-name.js';
import { logicalLines, type RequirementsEnv } from './logical-lines.js';
import { parseRequirement } from './pep508-requirement.js';
import { optionLabel, parsePipOptions, type FoundOption } from './pip-options.js';
import type { Origin, RecordedOption, Requirement } from './requirement.js';
import type { RequirementsSource } from './requirements-source.js';
import { quoteForError } from './syntax-error.js';

declare const parsedRequirementsBrand: unique symbol;

/**
 * A parsed requirements file and everything it included. Branded: the only
 * way to get one is `parseRequirementsFile`, so holding one means the input
 * was validated.
 */
export interface ParsedRequirements {
  readonly [parsedRequirementsBrand]: true;
  /** Requirements from `-r` files and the top file, in reading order. */
  readonly requirements: readonly Requirement[];
  /** Lines of `-c` files: limits on versions, not things to install. */
  readonly constraints: readonly Requirement[];
  /** Accepted global pip switches (`--pre`, `--only-binary`…), passed on to pip. */
  readonly pipOptions: readonly RecordedOption[];
  /** Source options kept because `allowSourceOptions` was set; empty otherwise. */
  readonly sourceOptions: readonly RecordedOption[];
  /** Every file read, top file first. */
  readonly files: readonly string[];
}

/** How strict the parser is and what `${VAR}` expands to. */
export interface ParseRequirementsOptions {
  /**
   * Record `-i`, `--extra-index-url`, `-f`, `--trusted-host`, `--no-index`
   * and `-e` in `sourceOptions` instead of refusing them.
   */
  readonly allowSourceOptions?: boolean;
  /** Values for `${VAR}` (pass `process.env` at the edge); default: none. */
  readonly env?: RequirementsEnv;
}

/** Includes deeper than this are refused (a symlink loop never repeats a path). */
export const MAX_INCLUDE_DEPTH = 32;

/** Archive suffixes that make pip read a bare name as a local file (pip's ARCHIVE_EXTENSIONS). */
const ARCHIVE_SUFFIXES = [
  '.whl', '.zip', '.tar.gz', '.tgz', '.tar', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma',
];
/** pip's SCHEME_RE, widened to any `scheme://`. */
const URL_LIKE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:https?|file):)/;

interface State {
  readonly source: RequirementsSource;
  readonly options: ParseRequirementsOptions;
  readonly requirements: Requirement[];
  readonly constraints: Requirement[];
  readonly pipOptions: RecordedOption[];
  readonly sourceOptions: RecordedOption[];
  readonly files: string[];
}

/** pip's `break_args_options`: the requirement is every space-separated word before the first `-word`. */
function splitArgsOptions(line: string): { args: string; options: string } {
  const words = line.split(' ');
  const firstOption = words.findIndex((w) => w.startsWith('-'));
  if (firstOption < 0) return { args: line, options: '' };
  return { args: words.slice(0, firstOption).join(' '), options: words.slice(firstOption).join(' ') };
}

const fail = (origin: Origin, reason: string, hint?: string): never => {
  throw new InputFileError(origin.file, origin.line, reason, hint === undefined ? {} : { hint });
};

function refuse(origin: Origin, option: FoundOption): never {
  const reason = option.spec.reason ?? 'not supported';
  return fail(origin, `${optionLabel(option.spec)} is refused: ${reason}`, option.spec.hint);
}

function parseHash(origin: Origin, value: string): string {
  const colon = value.indexOf(':');
  const algorithm = colon < 0 ? '' : value.slice(0, colon);
  const digest = colon < 0 ? '' : value.slice(colon + 1);
  const length = ({ sha256: 64, sha384: 96, sha512: 128 } as Record<string, number | undefined>)[algorithm];
  if (length === undefined) {
    fail(origin, `--hash ${quoteForError(value)}: expected sha256:, sha384: or sha512: followed by the hex digest`);
  }
  if (digest.length !== length || !/^[0-9a-fA-F]+$/.test(digest)) {
    fail(origin, `--hash ${quoteForError(value)}: a ${algorithm} digest is ${length} hex digits`);
  }
  return `${algorithm}:${digest.toLowerCase()}`;
}

function requirementLine(state: State, origin: Origin, args: string, optionText: string, constraint: boolean): void {
  if (URL_LIKE.test(args) || args.startsWith('.') || args.startsWith('/') || args.startsWith('~')) {
    fail(
      origin,
      `${quoteForError(args)} is a path or URL without a project name; farm builds named requirements only`,
      'write it as `name @ https://…` (PEP 508)',
    );
  }
  const parsed = parseRequirement(args, origin);
  const bare = parsed.name.toLowerCase();
  if (parsed.url === null && parsed.specifier === '' && ARCHIVE_SUFFIXES.some((s) => bare.endsWith(s))) {
    fail(
      origin,
      `${quoteForError(parsed.name)} looks like a local archive file; farm builds named requirements only`,
      'write it as `name @ file:///…` or `name==version`',
    );
  }
  const hashes: string[] = [];
  for (const option of parsePipOptions(optionText, origin)) {
    if (option.spec.kind === 'hash') hashes.push(parseHash(origin, option.value ?? ''));
    else if (option.spec.kind === 'build') refuse(origin, option);
    else {
      fail(
        origin,
        `${option.written} cannot follow a requirement; it applies to the whole file, put it on a line of its own`,
      );
    }
  }
  if (constraint && parsed.extras.length > 0) {
    fail(origin, `constraints cannot have extras (${parsed.extras.join(', ')})`);
  }
  const requirement: Requirement = {
    name: normalizeName(parsed.name),
    displayName: parsed.name,
    extras: parsed.extras,
    specifier: parsed.specifier,
    url: parsed.url,
    marker: parsed.marker,
    hashes,
    origin,
  };
  (constraint ? state.constraints : state.requirements).push(requirement);
}

async function optionLine(state: State, origin: Origin, optionText: string, stack: readonly string[]): Promise<void> {
  const found = parsePipOptions(optionText, origin);
  const include = found.find((o) => o.spec.kind === 'include');
  if (include !== undefined) {
    if (found.length > 1) fail(origin, `${include.written} must be alone on its line`);
    await includeFile(state, origin, include, stack);
    return;
  }
  for (const option of found) {
    const record: RecordedOption = { option: option.spec.long, value: option.value, origin };
    switch (option.spec.kind) {
      case 'hash':
        fail(origin, `--hash needs a requirement on the same line`);
        break;
      case 'build':
        refuse(origin, option);
        break;
      case 'source':
        if (state.options.allowSourceOptions !== true) refuse(origin, option);
        state.sourceOptions.push(record);
        break;
      case 'global':
        state.pipOptions.push(record);
        break;
      case 'include':
        break;
    }
  }
}

async function includeFile(
  state: State,
  origin: Origin,
  include: FoundOption,
  stack: readonly string[],
): Promise<void> {
  const target = include.value ?? '';
  const kind = include.spec.long === '--constraint' ? 'constraints file' : 'requirements file';
  if (target === '') fail(origin, `${include.written} needs a file name`);
  if (URL_LIKE.test(target)) {
    fail(
      origin,
      `${include.written} ${quoteForError(target)}: reading ${kind}s from URLs is not supported`,
      'download the file and include the local copy',
    );
  }
  const path = normalize(isAbsolute(target) ? target : join(dirname(origin.file), target));
  const seen = stack.indexOf(path);
  if (seen >= 0) {
    fail(origin, `include cycle: ${[...stack.slice(seen), path].join(' -> ')}`);
  }
  if (stack.length >= MAX_INCLUDE_DEPTH) {
    fail(origin, `includes nested deeper than ${MAX_INCLUDE_DEPTH} files: ${[...stack, path].join(' -> ')}`);
  }
  await parseFile(state, path, include.spec.long === '--constraint', stack, origin, kind);
}

async function parseFile(
  state: State,
  path: string,
  constraint: boolean,
  stack: readonly string[],
  includedFrom: Origin | null,
  kind: string,
): Promise<void> {
  let content: string;
  try {
    content = await state.source.read(path);
  } catch (error) {
    if (includedFrom === null) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const why = cause instanceof Error ? cause.message : String(cause);
    return fail(includedFrom, `cannot read ${kind} ${path}: ${why}`);
  }
  state.files.push(path);
  const inner = [...stack, path];
  for (const { line, text } of logicalLines(content, state.options.env)) {
    const origin: Origin = { file: path, line };
    const { args, options } = splitArgsOptions(text);
    if (args.trim() !== '') requirementLine(state, origin, args, options, constraint);
    else await optionLine(state, origin, options, inner);
  }
}

/**
 * Reads and parses the requirements file at `path` and everything it
 * includes with `-r`/`-c` (paths relative to the including file), through
 * `source`. Rejects with InputFileError (`file:line: reason`) on the first
 * problem; an unreadable top file rejects with whatever `source` threw.
 */
export async function parseRequirementsFile(
  path: string,
  source: RequirementsSource,
  options: ParseRequirementsOptions = {},
): Promise<ParsedRequirements> {
  const state: State = {
    source,
    options,
    requirements: [],
    constraints: [],
    pipOptions: [],
    sourceOptions: [],
    files: [],
  };
  await parseFile(state, normalize(path), false, [], null, 'requirements file');
  const parsed = {
    requirements: Object.freeze(state.requirements),
    constraints: Object.freeze(state.constraints),
    pipOptions: Object.freeze(state.pipOptions),
    sourceOptions: Object.freeze(state.sourceOptions),
    files: Object.freeze(state.files),
  };
  return Object.freeze(parsed) as unknown as ParsedRequirements;
}
