import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256');

/** `sha256:<hex>`, as `recipeHash()` and Docker image ids are written. */
const PrefixedSha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lower-case hex>');

/** The package managers a builder image can have (see src/recipes). */
export const PackageManagerName = z.enum(['apk', 'apt', 'dnf', 'yum']);

/** System packages of one package manager, sorted. */
export const SystemPackageSet = z.strictObject({
  manager: PackageManagerName,
  packages: z.array(z.string().min(1)),
});
export type SystemPackageSet = z.infer<typeof SystemPackageSet>;

/** The sdist a wheel was built from, as farm downloaded and verified it. */
export const SdistProvenance = z.strictObject({
  filename: z.string().min(1),
  sha256: Sha256,
  /** Where it came from (the upstream index's file URL). */
  url: z.string().min(1).optional(),
});
export type SdistProvenance = z.infer<typeof SdistProvenance>;

/** A wheel installed into the build environment, from farm's repository of the target. */
export const BuildDependency = z.strictObject({
  /** PEP 503-normalised project name. */
  name: z.string().min(1),
  version: z.string().min(1),
  filename: z.string().min(1),
  sha256: Sha256,
});
export type BuildDependency = z.infer<typeof BuildDependency>;

/** A shared library farm copied into the wheel (no auditwheel in the builder image). */
export const VendoredLibrary = z.strictObject({
  /** The name the extension modules asked for (`DT_NEEDED`), e.g. `libjpeg.so.62`. */
  soname: z.string().min(1),
  /** Its path inside the wheel, e.g. `farmfix_jpeg.libs/libjpeg-1a2b3c4d.so.62`. */
  path: z.string().min(1),
  /** sha256 of the library as copied from the build image (before farm renamed it). */
  sha256: Sha256,
  /** The system package of the build image that owns the library, when the package manager knows. */
  package: z.string().min(1).optional(),
});
export type VendoredLibrary = z.infer<typeof VendoredLibrary>;

/**
 * How farm built a wheel (`WheelRecord.build`): the provenance shown by
 * `farm show`, in the JSON index under `_farm`, and by the web interface.
 *
 * Stable contract: fields are only ever added, as optional. Only
 * `recipeHash` is required, so records written by earlier farm versions (and
 * pure wheels reused from another target) stay valid; a build of this
 * version records every field that applies to it.
 */
export const BuildProvenance = z.strictObject({
  /** `recipeHash()` of the effective recipe the wheel was built with: part of the cache key. */
  recipeHash: PrefixedSha256,
  /** The builder image of the target: `reference@sha256:<id>`. */
  image: z.string().min(1).optional(),
  /** Target id (`glibc-armv7`) and Python version (`3.11`) of the build. */
  target: z.string().min(1).optional(),
  python: z.string().min(1).optional(),
  /** The request whose build published the wheel: with target and Python, where its build log is. */
  requestId: z.string().min(1).optional(),
  /** The sdist the wheel was built from. */
  sdist: SdistProvenance.optional(),
  /**
   * The image the compile ran in when the recipe installs system packages:
   * the builder image plus `systemPackages`, built once (`reference@sha256:<id>`).
   */
  buildImage: z.string().min(1).optional(),
  /** System packages installed into `buildImage` (recipe `packages` for the image's manager). */
  systemPackages: SystemPackageSet.optional(),
  /** Every wheel installed into the build environment, each from farm's repository. */
  buildDependencies: z.array(BuildDependency).optional(),
  /** Network of the compile: `none` unless the recipe opted out (`network: true`). */
  network: z.enum(['none', 'bridge', 'host']).optional(),
  /** The recipe's reason when the compile had the network. */
  networkReason: z.string().min(1).optional(),
  /** How the wheel was made self-contained: `auditwheel repair`, farm's vendoring, or not needed. */
  repair: z.enum(['auditwheel', 'vendored', 'none']).optional(),
  /** Shared libraries copied into the wheel (`repair: vendored`). */
  vendoredLibraries: z.array(VendoredLibrary).optional(),
  /**
   * System packages a machine needs to use the wheel (recipe `runtimePackages`:
   * libraries deliberately not vendored), per package manager.
   */
  runtimePackages: z.array(SystemPackageSet).optional(),
});
export type BuildProvenance = z.infer<typeof BuildProvenance>;

/** Where farm mirrored a wheel from (`WheelRecord.mirror`). */
export const MirrorProvenance = z.strictObject({
  /** The upstream URL the wheel was downloaded from (its sha256 verified against the index's). */
  url: z.string().min(1),
});
export type MirrorProvenance = z.infer<typeof MirrorProvenance>;

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
  /**
   * mtime (ms) of the published file when it was recorded. `farm index --full`
   * re-hashes a file only when its size or mtime moved. Absent in inventories
   * written before it existed (those files are hashed).
   */
  mtimeMs: z.number().optional(),
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
  /** Provenance of a wheel farm mirrored from upstream. */
  mirror: MirrorProvenance.optional(),
  /**
   * Set when the file in `packages/` no longer has the recorded bytes (it was
   * overwritten by hand): what was found instead. The file is kept out of the
   * index until it is restored or replaced (`farm add --replace`).
   */
  altered: z
    .strictObject({
      /** sha256 of the bytes found, or `null` when only the size was needed to tell. */
      sha256: Sha256.nullable(),
      size: z.int().nonnegative(),
      detectedAt: z.iso.datetime(),
    })
    .optional(),
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
