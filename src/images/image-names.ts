/**
 * Names and labels of farm's builder images: the shared naming contract other
 * areas (executor, pipeline, CLI) rely on. Pure.
 */

/** Label keys every bootstrap image carries. */
export const IMAGE_LABELS = {
  target: 'farm.target',
  python: 'farm.python',
  source: 'farm.source',
  recipeHash: 'farm.recipe-hash',
} as const;

/** `3.11` → `cp311`: the CPython ABI tag PyPA images name their directories after. */
export function cpythonTag(python: string): string {
  return `cp${python.replace('.', '')}`;
}

/**
 * Where the interpreter for Python X.Y lives in every farm builder image,
 * official or bootstrap: `/opt/python/cp311-cp311/bin/python`.
 */
export function interpreterPath(python: string): string {
  const tag = cpythonTag(python);
  return `/opt/python/${tag}-${tag}/bin/python`;
}

/** `farm/builder-glibc-armv7:bootstrap-py3.11`. */
export function bootstrapImageName(targetId: string, python: string): string {
  return `farm/builder-${targetId}:bootstrap-py${python}`;
}

/** Docker's `repo:tag` split of an image reference (the tag defaults to `latest`). */
export function splitImageReference(reference: string): { repo: string; tag: string } {
  const at = reference.indexOf('@');
  const withoutDigest = at === -1 ? reference : reference.slice(0, at);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { repo: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { repo: withoutDigest, tag: 'latest' };
}

/** The labels of a bootstrap image. */
export function bootstrapLabels(targetId: string, python: string, recipeHash: string): Record<string, string> {
  return {
    [IMAGE_LABELS.target]: targetId,
    [IMAGE_LABELS.python]: python,
    [IMAGE_LABELS.source]: 'bootstrap',
    [IMAGE_LABELS.recipeHash]: recipeHash,
  };
}
