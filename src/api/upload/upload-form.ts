/**
 * The form fields of the legacy upload protocol (the one twine, flit and
 * `setup.py upload` speak; warehouse and pypiserver serve it): a multipart
 * POST with `:action=file_upload`, the file as `content`, its digests, and the
 * project's core metadata as fields. farm reads the few fields it needs and
 * ignores the rest of the metadata (the wheel's own METADATA is what it
 * records). Fields starting with `farm_` carry a farm worker's build
 * provenance; only worker tokens may send them.
 */
import { z } from 'zod';

const One = z.string();
const Sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected the file\'s sha256 as 64 hex digits')
  .transform((s) => s.toLowerCase());

/** The fields farm uses; every other field is accepted and ignored. */
export const UploadForm = z.looseObject({
  ':action': z.literal('file_upload', { error: "expected ':action' = 'file_upload' (farm accepts uploads only)" }),
  protocol_version: z.literal('1').optional(),
  name: One.min(1),
  version: One.min(1),
  filetype: z.literal('bdist_wheel', { error: 'farm repositories hold wheels only (filetype must be bdist_wheel)' }),
  /** Announced by the uploader, checked against the bytes received before anything is published. */
  sha256_digest: Sha256,
  /** The target a farm worker built the wheel for: scoped by its token. */
  farm_target: One.min(1).optional(),
  /**
   * A farm build's provenance as JSON (`BuildProvenance`: recipe hash, image,
   * sdist, ...): recorded with the wheel; its recipe hash is the build cache key.
   */
  farm_provenance: One.min(1).optional(),
});
export type UploadForm = z.infer<typeof UploadForm>;

/** Field names that may appear once only (a repeated one is ambiguous, so refused). */
export const SINGLE_FIELDS: readonly string[] = [
  ':action',
  'protocol_version',
  'name',
  'version',
  'filetype',
  'sha256_digest',
  'farm_target',
  'farm_provenance',
];
