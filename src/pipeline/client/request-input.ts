/**
 * Turns what a caller submits into what the pipeline stores and runs: the
 * input validated, requirement files read and parsed (every syntax problem
 * reported before anything is queued), and per target and Python version
 * the requirements.txt pip resolves in the container.
 */
import path from 'node:path';
import type { FarmConfig } from '../../config/schema.js';
import { targetSettings } from '../../config/target-settings.js';
import { MissingFileError } from '../../errors.js';
import {
  constraintsForTarget,
  parseRequirementsFile,
  requirementsForTarget,
  toPipRequirementsText,
  type ParsedRequirements,
  type RecordedOption,
  type Requirement,
  type RequirementsSource,
} from '../../requirements/index.js';
import { getTarget } from '../../targets/parse-targets.js';
import { validate } from '../../validation/validate.js';
import { BuildRequestInput, type BuildRequestInputArg } from '../contract/request-types.js';
import type { StoredRequest } from '../store/request-store.js';

/** What pip resolves for one target and Python version. */
export interface ResolveInput {
  target: string;
  python: string;
  requirementsText: string;
  constraintsText: string;
}

export interface PreparedRequest {
  stored: StoredRequest;
  resolves: ResolveInput[];
}

export interface PrepareOptions {
  /** Reads requirement files named by path (the CLI's filesystem). */
  source?: RequirementsSource;
  /** `${VAR}` values for requirement files (the CLI passes process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Request id to use. */
  id: string;
  now?: Date;
}

/**
 * Validates and prepares a request. Files given as `{ path, text }` are used
 * as they are; `-r`/`-c` includes are looked up among them first. Files given
 * as paths (and includes not given) are read through `options.source`; when
 * there is none (webhooks, schedules) that is a `MissingFileError`, so a
 * submitted file can never make the server read its own disk.
 *
 * @throws ConfigError for invalid input, InputFileError for a bad requirements line.
 */
export async function prepareRequest(config: FarmConfig, raw: BuildRequestInputArg, options: PrepareOptions): Promise<PreparedRequest> {
  const input = validate(BuildRequestInput, raw, 'build request');
  const given = new Map<string, string>();
  for (const r of input.requirements) if (typeof r !== 'string') given.set(path.normalize(r.path), r.text);
  const read = new Map<string, string>();
  const source: RequirementsSource = {
    async read(file: string): Promise<string> {
      const known = given.get(path.normalize(file));
      const text = known ?? (options.source !== undefined ? await options.source.read(file) : undefined);
      if (text === undefined) throw new MissingFileError(file, { hint: 'send every included file along with the request' });
      read.set(file, text);
      return text;
    },
  };
  const parsed: ParsedRequirements[] = [];
  const roots: string[] = [];
  for (const r of input.requirements) {
    const file = typeof r === 'string' ? path.resolve(r) : r.path;
    roots.push(file);
    parsed.push(await parseRequirementsFile(file, source, { env: options.env ?? {} }));
  }

  const python: Record<string, string[]> = {};
  const resolves: ResolveInput[] = [];
  for (const targetId of input.targets) {
    const target = getTarget(targetId);
    const versions = input.python ?? [...targetSettings(config, target).pythonVersions];
    python[targetId] = versions;
    for (const version of versions) {
      const requirements: Requirement[] = [];
      const constraints: Requirement[] = [];
      const pipOptions: RecordedOption[] = [];
      for (const p of parsed) {
        requirements.push(...requirementsForTarget(p, target, version));
        constraints.push(...constraintsForTarget(p, target, version));
        for (const o of p.pipOptions) if (!pipOptions.some((x) => x.option === o.option && x.value === o.value)) pipOptions.push(o);
      }
      resolves.push({
        target: targetId,
        python: version,
        requirementsText: requirements.length === 0 ? '' : toPipRequirementsText(requirements, { pipOptions }),
        constraintsText: toPipRequirementsText(constraints),
      });
    }
  }

  const stored: StoredRequest = {
    id: options.id,
    requirements: [...read].map(([file, text]) => ({ path: file, text })),
    roots,
    targets: [...input.targets],
    python,
    indexUrl: input.indexUrl ?? config.upstream.indexUrl,
    extraIndexUrls: [...config.upstream.extraIndexUrls],
    origin: input.origin,
    metadata: input.metadata,
    rebuildFailed: input.rebuildFailed,
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  return { stored, resolves };
}
