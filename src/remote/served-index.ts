/**
 * What a remote worker knows about the repositories comes from where pip
 * reads them: the served index (`farm serve` or nginx). A project's PEP 691
 * JSON page lists its files with their sha256, and farm's build provenance
 * under `_farm` (PEP 691 reserves `_`-keys for the index's own use), which
 * carries the recipe hash the build cache compares.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import { TransientError, UsageError } from '../errors.js';
import { validate } from '../validation/validate.js';
import { normalizeName } from '../wheels/normalize-name.js';

/** The part of a PEP 691 project page farm reads. */
export const ServedProjectPage = z.looseObject({
  files: z.array(
    z.looseObject({
      filename: z.string().min(1),
      url: z.string().min(1),
      hashes: z.looseObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }),
      _farm: z.looseObject({ recipeHash: z.string().optional() }).optional(),
    }),
  ),
});
export type ServedProjectPage = z.infer<typeof ServedProjectPage>;

/** One published file. */
export interface ServedFile {
  readonly filename: string;
  readonly sha256: string;
  readonly recipeHash?: string;
  /** Where pip downloads it. */
  readonly url: string;
}

const PEP691 = 'application/vnd.pypi.simple.v1+json';

export class ServedIndex {
  readonly #base: URL;

  /** `baseUrl`: where `/<repo>/simple/` is served, e.g. `https://farm.example/`. */
  constructor(
    baseUrl: string,
    private readonly options: { retries?: number; minBackoffMs?: number } = {},
  ) {
    this.#base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** `<base><repo>/simple/`: the index URL pip is given. */
  simpleUrl(repository: string): string {
    return new URL(`${encodeURIComponent(repository)}/simple/`, this.#base).href;
  }

  /** The files of `project` in `repository`; none when the project (or repository) is not there yet. */
  async files(repository: string, project: string): Promise<ServedFile[]> {
    const url = new URL(`${encodeURIComponent(normalizeName(project))}/`, this.simpleUrl(repository)).href;
    const page = await pRetry(() => this.#get(url), {
      retries: this.options.retries ?? 5,
      minTimeout: this.options.minBackoffMs ?? 1000,
      shouldRetry: ({ error }) => error instanceof TransientError,
    });
    if (page === undefined) return [];
    return page.files
      .filter((f) => f.hashes.sha256 !== undefined)
      .map((f) => ({
        filename: f.filename,
        sha256: f.hashes.sha256!,
        ...(f._farm?.recipeHash === undefined ? {} : { recipeHash: f._farm.recipeHash }),
        url: new URL(f.url, url).href,
      }));
  }

  async #get(url: string): Promise<ServedProjectPage | undefined> {
    let response: Response;
    try {
      // The page must be current (the build cache decides on it): no cached copy.
      response = await fetch(url, { headers: { accept: PEP691, 'cache-control': 'no-cache' } });
    } catch (error) {
      throw new TransientError(`served index ${url}: no answer (${String((error as { cause?: unknown }).cause ?? error)})`, { cause: error });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      const error = `served index ${url}: HTTP ${response.status}`;
      if (response.status >= 500 || response.status === 429) throw new TransientError(error);
      throw new UsageError(error, { hint: "api.indexUrl on the main host must be the served repositories' base URL" });
    }
    return validate(ServedProjectPage, await response.json(), url);
  }
}
