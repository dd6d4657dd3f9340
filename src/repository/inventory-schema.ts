import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256');

/** How farm built a wheel (`WheelRecord.build`). */
export const BuildProvenance = z.strictObject({
  /** `recipeHash()` of the effective recipe the wheel was built with: part of the cache key. */
  recipeHash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lower-case hex>'),
  /** Builder image (reference, with digest when known). */
  image: z.string().min(1).optional(),
});
export type BuildProvenance = z.infer<typeof BuildProvenance>;

/**
 * One wheel as the repository recorded it when it was collected (or adopted
 * from a hand-filled `packages/`). Everything the index publishes comes from
 * here, so regeneration never opens or hashes a wheel.
 */
export const WheelRecord = z.strictObject({
  filename: z.string().min(1),
  /** PEP 440-normalised version from the filename (equal to METADATA's). */
  version: z.string().min(1),
  sha256: Sha256,
  size: z.int().nonnegative(),
  /** ISO 8601 UTC, e.g. `2024-05-01T12:00:00.000Z` (PEP 700 `upload-time`). */
  uploadTime: z.iso.datetime(),
  requiresPython: z.string().nullable(),
  requiresDist: z.array(z.string()),
  summary: z.string().nullable(),
  /** sha256 and size of `<wheel>.metadata`, the METADATA bytes (PEP 658). */
  metadataSha256: Sha256,
  metadataSize: z.int().nonnegative(),
  /** PEP 592. `yankedReason` is `''` when yanked without a reason. */
  yanked: z.boolean(),
  yankedReason: z.string(),
  /** `collected`: `farm add` / a build; `adopted`: dropped into `packages/` by hand. */
  origin: z.enum(['collected', 'adopted']),
  /**
   * Provenance of a wheel farm built itself. Absent for mirrored, `farm add`ed
   * and adopted wheels (and in inventories written before it existed).
   */
  build: BuildProvenance.optional(),
});
export type WheelRecord = z.infer<typeof WheelRecord>;



/**
 * `.farm/inventory/<project>.json`: every wheel of one project, sorted by
 * PEP 440 version then filename. The writer keeps this order so the index
 * never has to parse versions again.
 */
export const ProjectInventory = z.strictObject({
  format: z.literal(1),
  /** PEP 503-normalised name; also the file name. */
  project: z.string().min(1),
  /** Display name: `Name` from the METADATA of the most recently recorded wheel. */
  name: z.string().min(1),
  files: z.array(WheelRecord),
});
export type ProjectInventory = z.infer<typeof ProjectInventory>;
