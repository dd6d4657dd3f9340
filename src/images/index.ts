/**
 * Builder images: choosing, listing, pulling and bootstrapping them. The CLI
 * wires these into `farm images list|bootstrap|pull`; the pipeline uses
 * `selectImage` and `imageDigest`.
 */
export { bootstrapImages, type BootstrapOptions, type BootstrapResult } from './bootstrap-images.js';
export { listImages, imageRows, type ImageListRow } from './list-images.js';
export { pullImage, type PullOptions } from './pull-image.js';
export { imageDigest, digestFor, type ImageIdentity } from './image-digest.js';
export {
  selectImage,
  type ImageSelection,
  type ImageSource,
  type ImageSourcePreference,
  type PresentImage,
} from './select-image.js';
export { presentImages } from './present-images.js';
export { formatProgress, type ImageProgressEvent, type OnImageProgress } from './progress.js';
export { bootstrapImageName, interpreterPath, cpythonTag, IMAGE_LABELS } from './image-names.js';
export { OFFICIAL_PYTHON_VERSIONS } from './official-images.js';
export type { ImagesDocker } from './docker-port.js';
