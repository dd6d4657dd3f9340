import { createHash } from 'node:crypto';
import type { DockerPlatform } from '../targets/catalog.js';
import { splitImageReference } from './image-names.js';
import type { InspectedImage } from './docker-port.js';

/** What a root filesystem becomes as an image. */
export interface ImageSpec {
  /** `repo:tag` of the resulting image. */
  readonly name: string;
  readonly platform: DockerPlatform;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly cmd: readonly string[];
}

/** Docker's `Architecture`/`Variant` for a platform string. Pure. */
export function expectedArchitecture(platform: DockerPlatform): { architecture: string; variant: string | undefined } {
  const [, architecture = '', variant] = platform.split('/');
  return { architecture, variant };
}

/**
 * The image config (OCI/Docker image JSON) of a single-layer image. Pure.
 *
 * farm writes this itself instead of using `docker import --platform`: older
 * engines (Docker 20.10 here) accept the platform parameter of an import but
 * keep only its OS, so an armhf rootfs would be recorded as amd64. `docker load` keeps the
 * config as given, on every engine version.
 */
export function imageConfig(spec: ImageSpec, diffId: string, created: string): Record<string, unknown> {
  const { architecture, variant } = expectedArchitecture(spec.platform);
  return {
    architecture,
    ...(variant === undefined ? {} : { variant }),
    os: 'linux',
    created,
    config: {
      Env: Object.keys(spec.env)
        .sort()
        .map((key) => `${key}=${spec.env[key]}`),
      Cmd: [...spec.cmd],
      Labels: { ...spec.labels },
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'farm images bootstrap' }],
  };
}

/** The files of a `docker save`-format archive holding one layer, except the layer itself. Pure. */
export function archiveMetadata(
  spec: ImageSpec,
  diffId: string,
  created: string,
): { configName: string; config: Buffer; layerName: string; manifest: Buffer } {
  const config = Buffer.from(JSON.stringify(imageConfig(spec, diffId, created)));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const layerName = `${diffId.replace(/^sha256:/, '')}/layer.tar`;
  const { repo, tag } = splitImageReference(spec.name);
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [`${repo}:${tag}`], Layers: [layerName] }]));
  return { configName, config, layerName, manifest };
}

/**
 * True when an image's config says it is for `platform`. Docker leaves the
 * variant of arm64 images empty or `v8`; for arm it must say `v7`. Pure.
 */
export function matchesPlatform(image: Pick<InspectedImage, 'Architecture' | 'Variant' | 'Os'>, platform: DockerPlatform): boolean {
  const { architecture, variant } = expectedArchitecture(platform);
  if ((image.Os ?? 'linux') !== 'linux' || image.Architecture !== architecture) return false;
  if (architecture === 'arm') return image.Variant === variant;
  return true;
}
