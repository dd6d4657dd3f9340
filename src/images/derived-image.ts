/**
 * Derived images: a builder image plus what a recipe installs with root
 * privileges (system packages, a Rust toolchain, `before` commands), built
 * once and reused, the way cibuildwheel runs `before-all` once per container.
 * Every build then runs unprivileged in the derived image, with the network
 * off, instead of running `apt-get update` and `install` itself. Pure: names,
 * keys, labels and the commit configuration.
 */
import { createHash } from 'node:crypto';
import type { DockerPlatform } from '../targets/catalog.js';
import { IMAGE_LABELS } from './image-names.js';

/** One privileged command of the preparation, as an argv list. */
export interface PrepareStep {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** What a derived image is made of. */
export interface DerivedImageRequest {
  /** The builder image: reference and content id (`sha256:…`). */
  readonly base: { readonly reference: string; readonly id: string };
  readonly targetId: string;
  /** Docker platform of the target, e.g. `linux/arm/v7`. */
  readonly platform: DockerPlatform;
  /** Run in order as root; any failure fails the preparation. */
  readonly steps: readonly PrepareStep[];
}

/** Labels a derived image carries, besides its base's. */
export const DERIVED_LABELS = {
  key: 'farm.derived.key',
  base: 'farm.derived.base',
  steps: 'farm.derived.steps',
} as const;

/** Derived images are tagged under this repository per target: `farm/derived-glibc-armv7:<key>`. */
export const DERIVED_REPOSITORY_PREFIX = 'farm/derived-';

/**
 * The identity of a derived image: sha256 over the base image's content id,
 * the platform and the steps (argv and environment, in order). The recipe
 * lists packages sorted, so the same package set always gives the same key.
 */
export function derivedImageKey(request: DerivedImageRequest): string {
  const canonical = JSON.stringify({
    v: 1,
    base: request.base.id,
    platform: request.platform,
    steps: request.steps.map((s) => ({ argv: [...s.argv], env: Object.entries(s.env).sort(([a], [b]) => (a < b ? -1 : 1)) })),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** `farm/derived-<target>:<first 24 hex digits of the key>`. */
export function derivedImageReference(targetId: string, key: string): string {
  return `${DERIVED_REPOSITORY_PREFIX}${targetId}:${key.slice(0, 24)}`;
}

/** What the engine reports about the base image that the commit must restore. */
export interface BaseImageConfig {
  readonly User?: string | undefined;
  readonly Cmd?: readonly string[] | null | undefined;
  readonly Entrypoint?: readonly string[] | string | null | undefined;
  readonly Env?: readonly string[] | null | undefined;
  readonly WorkingDir?: string | undefined;
  readonly Labels?: Readonly<Record<string, string>> | null | undefined;
}

/**
 * The container configuration to commit: the base image's own (the
 * preparation container ran as root with a keep-alive command and farm's
 * environment, none of which belongs in the image), plus labels naming the
 * base, the key and the steps.
 */
export function derivedCommitConfig(request: DerivedImageRequest, key: string, base: BaseImageConfig): Record<string, unknown> {
  const entrypoint = base.Entrypoint;
  return {
    User: base.User ?? '',
    Cmd: base.Cmd === null || base.Cmd === undefined ? ['/bin/sh'] : [...base.Cmd],
    Entrypoint: entrypoint === null || entrypoint === undefined ? [] : typeof entrypoint === 'string' ? [entrypoint] : [...entrypoint],
    Env: [...(base.Env ?? [])],
    WorkingDir: base.WorkingDir ?? '',
    Labels: {
      ...(base.Labels ?? {}),
      [IMAGE_LABELS.source]: 'derived',
      [DERIVED_LABELS.key]: key,
      [DERIVED_LABELS.base]: `${request.base.reference}@${request.base.id}`,
      [DERIVED_LABELS.steps]: JSON.stringify(request.steps.map((s) => s.argv)),
    },
  };
}
