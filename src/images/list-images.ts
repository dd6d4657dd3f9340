import type { FarmConfig } from '../config/schema.js';
import { allTargetSettings, type TargetSettings } from '../config/target-settings.js';
import type { ImagesDocker } from './docker-port.js';
import { presentImages } from './present-images.js';
import { selectImage, type ImageSource, type ImageSourcePreference, type PresentImage } from './select-image.js';

/** One row of `farm images list`. */
export interface ImageListRow {
  readonly target: string;
  readonly image: string;
  readonly source: ImageSource;
  /** Python versions the image provides. */
  readonly pythonVersions: readonly string[];
  /** The configured Python versions this image serves for the target. */
  readonly usedFor: readonly string[];
  readonly present: boolean;
}

/**
 * The rows of `farm images list` for some targets. Pure. One row per target
 * and image: with `auto`, Python versions with a bootstrap image use it and
 * the others fall back to the official image, giving two rows.
 */
export function imageRows(
  settings: readonly TargetSettings[],
  source: ImageSourcePreference,
  present: readonly PresentImage[],
): ImageListRow[] {
  const rows: ImageListRow[] = [];
  for (const s of settings) {
    const byImage = new Map<string, { row: ImageListRow; usedFor: string[] }>();
    for (const python of s.pythonVersions) {
      const selection = selectImage(s, source, present, python);
      const existing = byImage.get(selection.image);
      if (existing !== undefined) {
        existing.usedFor.push(python);
        continue;
      }
      const usedFor = [python];
      byImage.set(selection.image, { row: { target: s.target.id, ...selection, usedFor }, usedFor });
    }
    for (const { row } of byImage.values()) rows.push(row);
  }
  return rows;
}

/** `farm images list`: per target, the image its builds use, its source, its Pythons and whether it is present. */
export async function listImages(config: FarmConfig, docker: Pick<ImagesDocker, 'listImages'>): Promise<ImageListRow[]> {
  return imageRows(allTargetSettings(config), config.images.source, await presentImages(docker));
}
