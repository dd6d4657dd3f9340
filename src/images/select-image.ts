import type { TargetSettings } from '../config/target-settings.js';
import { IMAGE_LABELS, bootstrapImageName, splitImageReference } from './image-names.js';
import { OFFICIAL_PYTHON_VERSIONS, officialImage } from './official-images.js';

/** `images.source` in config. */
export type ImageSourcePreference = 'auto' | 'official' | 'bootstrap';

/** Where a selected image comes from: named in config, a PyPA image, or built offline. */
export type ImageSource = 'configured' | 'official' | 'bootstrap';

/** An image present in the Docker engine, as `listImages` reports it. */
export interface PresentImage {
  /** Every `repo:tag` the image is known by. */
  readonly tags: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** The image one target's builds run in. */
export interface ImageSelection {
  readonly image: string;
  readonly source: ImageSource;
  /** Python versions the image provides (for configured images: the ones configured). */
  readonly pythonVersions: readonly string[];
  /** Whether the engine already has it; official images are pulled when not. */
  readonly present: boolean;
}

/** Docker runs `name` as `name:latest`; compare like it does. */
function withTag(reference: string): string {
  const { repo, tag } = splitImageReference(reference);
  return reference.includes('@') ? reference : `${repo}:${tag}`;
}

function findPresent(presentImages: readonly PresentImage[], name: string): PresentImage | undefined {
  const wanted = withTag(name);
  return presentImages.find((image) => image.tags.includes(wanted));
}

/**
 * Chooses the builder image of a target for one Python version. Pure.
 *
 * - `targets.<id>.image` in config always wins;
 * - `official`: the PyPA image;
 * - `bootstrap`: farm's offline image, present or not (the caller tells the
 *   user to run `farm images bootstrap` when it is missing);
 * - `auto`: the bootstrap image when present, else the official one.
 *
 * `python` defaults to the target's first configured version.
 */
export function selectImage(
  settings: TargetSettings,
  source: ImageSourcePreference,
  presentImages: readonly PresentImage[],
  python: string = settings.pythonVersions[0] ?? '3.11',
): ImageSelection {
  if (settings.image !== undefined) {
    return {
      image: settings.image,
      source: 'configured',
      pythonVersions: settings.pythonVersions,
      present: findPresent(presentImages, settings.image) !== undefined,
    };
  }
  const bootstrapName = bootstrapImageName(settings.target.id, python);
  const bootstrap = findPresent(presentImages, bootstrapName);
  if (source === 'bootstrap' || (source === 'auto' && bootstrap !== undefined)) {
    const labelled = bootstrap?.labels[IMAGE_LABELS.python];
    return {
      image: bootstrapName,
      source: 'bootstrap',
      pythonVersions: [labelled ?? python],
      present: bootstrap !== undefined,
    };
  }
  const official = officialImage(settings.target);
  return {
    image: official,
    source: 'official',
    pythonVersions: OFFICIAL_PYTHON_VERSIONS,
    present: findPresent(presentImages, withTag(official)) !== undefined,
  };
}
