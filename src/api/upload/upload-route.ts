/**
 * `POST /<repo>/upload/`: the legacy upload protocol into one repository, for
 * twine (`twine upload --repository-url https://farm.example/glibc/upload/
 * -u __token__ -p <token> dist/*.whl`) and for farm's remote workers alike.
 *
 * Order of checks, so that a refused upload never writes anything: the token
 * (401) and its repository scope (403) before the body is read; the file's
 * name and target scope (400, 403) when its part starts; then the announced
 * sha256 against the bytes received (400), the form and the name/version
 * fields against the filename (400). Only then the collector, which checks
 * the wheel itself, publishes atomically and refuses different bytes under a
 * published name (409), and the index is regenerated (incrementally): remote
 * workers learn what is published from the served index, so it must be
 * current when the upload is answered.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import multipart from '@fastify/multipart';
import { eq, valid } from '@renovatebot/pep440';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { stateDir } from '../../config/load-config.js';
import type { FarmConfig } from '../../config/schema.js';
import { ConfigError, WheelConflictError, WheelRejectedError } from '../../errors.js';
import { publishWheel } from '../../publishing/publish-wheel.js';
import { BuildProvenance } from '../../repository/inventory-schema.js';
import { checkWheelName } from '../../repository/check-wheel-name.js';
import { removeStaleTempFiles } from '../../repository/stale-temp-files.js';
import type { TokenRecord } from '../../tokens/token-record.js';
import type { ScopeCatalog } from '../../tokens/token-scope.js';
import { validate } from '../../validation/validate.js';
import { normalizeName } from '../../wheels/normalize-name.js';
import { AccessDenied, sendError, type TokenGuard } from '../auth/token-guard.js';
import { receiveUpload, UploadTooLarge, type ReceivedFile } from './receive-upload.js';
import { SINGLE_FIELDS, UploadForm } from './upload-form.js';

/** What the upload route needs. */
export interface UploadRouteDeps {
  readonly config: FarmConfig;
  readonly guard: TokenGuard;
  readonly catalog: ScopeCatalog;
}

/** The answer to a successful upload. */
export interface UploadResult {
  readonly repository: string;
  readonly filename: string;
  readonly sha256: string;
  readonly size: number;
  /** `added`, or `unchanged` when these bytes were already published (a retried upload). */
  readonly status: string;
}

const RepoParam = z.strictObject({ repo: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a repository name like "glibc"') });

/** An upload the server refuses with a 4xx status. */
class Refused extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

function single(fields: Readonly<Record<string, string | string[]>>, name: string): string | undefined {
  const value = fields[name];
  return Array.isArray(value) ? undefined : value;
}

/** The form, with repeated single-valued fields refused. */
function parseForm(fields: Readonly<Record<string, string | string[]>>): UploadForm {
  const repeated = SINGLE_FIELDS.filter((name) => Array.isArray(fields[name]));
  if (repeated.length > 0) throw new Refused(400, 'bad request', `field ${repeated.join(', ')} given more than once`);
  return validate(UploadForm, fields, 'upload form');
}

function sameVersion(a: string, b: string): boolean {
  return valid(a) !== null && valid(b) !== null ? eq(a, b) : a === b;
}

/** Registers the upload route in its own scope (the multipart parser stays there). */
export async function registerUploadRoute(app: FastifyInstance, deps: UploadRouteDeps): Promise<void> {
  const { config, guard, catalog } = deps;
  const limitBytes = config.api.uploadLimitBytes;
  const repositories = new Set(catalog.targets.map((t) => catalog.repositoryOf(t)));
  const tmpDir = path.join(stateDir(config), 'uploads');
  // An API killed mid-upload (kill -9, a crash) leaves its partial copy here; nothing else removes it.
  removeStaleTempFiles([tmpDir]);

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let file: ReceivedFile | undefined;
    try {
      const { repo: repository } = validate(RepoParam, request.params, 'upload URL');
      if (!repositories.has(repository)) {
        throw new Refused(404, 'not found', `no repository '${repository}' here; repositories: ${[...repositories].sort().join(', ')}`);
      }
      const token = await guard.check(request, { kind: 'repository', repository });
      if (!request.isMultipart()) {
        throw new Refused(400, 'bad request', 'expected a multipart/form-data upload (the legacy upload protocol twine speaks)');
      }
      const received = await receiveUpload(request.parts(), {
        tmpDir,
        limitBytes,
        onFile: (filename, fields) => {
          const target = single(fields, 'farm_target');
          guard.authorize(token, { kind: 'upload', repository, wheel: checkWheelName(filename), ...(target === undefined ? {} : { target }) });
        },
      });
      file = received.file;
      if (file === undefined) throw new Refused(400, 'bad request', "no file in the form's 'content' field");
      const form = parseForm(received.fields);
      if (form.sha256_digest !== file.sha256) {
        throw new Refused(
          400,
          'digest mismatch',
          `sha256 mismatch for ${file.filename}: announced ${form.sha256_digest}, received ${file.sha256} (${file.size} bytes); nothing was published`,
        );
      }
      const wheel = checkWheelName(file.filename);
      if (normalizeName(form.name) !== wheel.name || !sameVersion(form.version, wheel.version)) {
        throw new Refused(400, 'bad request', `the form says ${form.name} ${form.version} but the file is ${file.filename}`);
      }
      guard.authorize(token, { kind: 'upload', repository, wheel, ...(form.farm_target === undefined ? {} : { target: form.farm_target }) });
      const build = provenance(token, form);
      const collected = await publishWheel({
        root: config.root,
        repository,
        file: file.path,
        filename: file.filename,
        ...(build === undefined ? {} : { build }),
      });
      const result: UploadResult = {
        repository,
        filename: collected.filename,
        sha256: collected.sha256,
        size: collected.size,
        status: collected.status,
      };
      request.log.info({ token: token.name, ...result, build: build !== undefined }, 'upload');
      return reply.code(200).send(result);
    } catch (error) {
      return refuse(request, reply, error);
    } finally {
      if (file !== undefined) await rm(file.path, { force: true });
    }
  }

  await app.register(async (scope) => {
    await scope.register(multipart, {
      throwFileSizeLimit: true,
      limits: { fileSize: limitBytes, files: 2, fields: 200, fieldSize: 1024 * 1024, parts: 256 },
    });
    scope.post('/:repo/upload/', handle);
    scope.post('/:repo/upload', handle);
  });
}

/** Build provenance is the build cache's key: only a worker token may claim it, for the target it delivers. */
function provenance(token: TokenRecord, form: UploadForm): BuildProvenance | undefined {
  if (form.farm_provenance === undefined) return undefined;
  if (token.kind !== 'worker') throw new AccessDenied(403, `token '${token.name}': only worker tokens may record build provenance`);
  if (form.farm_target === undefined) throw new Refused(400, 'bad request', 'a build delivery must name its farm_target');
  let data: unknown;
  try {
    data = JSON.parse(form.farm_provenance);
  } catch {
    throw new Refused(400, 'bad request', 'farm_provenance is not JSON');
  }
  const build = validate(BuildProvenance, data, 'farm_provenance');
  if (build.target !== undefined && build.target !== form.farm_target) {
    throw new Refused(400, 'bad request', `farm_provenance names target ${build.target}, farm_target ${form.farm_target}`);
  }
  return build;
}

function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof Refused) return sendError(reply, error.statusCode, error.error, error.message);
  if (error instanceof AccessDenied) {
    request.log.warn({ status: error.statusCode, reason: error.message }, 'upload refused');
    return sendError(reply, error.statusCode, error.statusCode === 401 ? 'unauthorized' : 'forbidden', error.message);
  }
  if (error instanceof UploadTooLarge) return sendError(reply, 413, 'too large', error.message);
  if (error instanceof WheelConflictError) return sendError(reply, 409, 'conflict', error.message);
  if (error instanceof WheelRejectedError) return sendError(reply, 400, 'rejected', error.message);
  if (error instanceof ConfigError) return sendError(reply, 400, 'bad request', error.message.replace(/\n\s*/g, ' '));
  const statusCode = (error as { statusCode?: number }).statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return sendError(reply, statusCode, 'bad request', (error as Error).message);
  }
  throw error;
}
