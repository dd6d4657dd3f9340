/**
 * The `RepositoryPort` of a worker with no repository root: what is
 * published comes from the served index (PEP 691 JSON, recipe hashes under
 * `_farm`), and wheels go to the main host through farm api's upload API,
 * the same route twine uses, where the collector checks them, publishes them
 * atomically and regenerates the index. Builds on this worker run the same
 * pipeline as on the main host; only this port differs.
 */
import type { CollectOptions, CollectOutcome, RepositoryPort, WheelEntry, WheelSource } from '../pipeline/contract/repository-port.js';
import type { ServedIndex } from './served-index.js';
import type { FarmServerClient } from './server-client.js';

/** Runs a delivery to the main host (the session turns a revoked token into a hand-back). */
export type Deliver = <T>(delivery: () => Promise<T>) => Promise<T>;

export class RemoteRepository implements RepositoryPort {
  constructor(
    private readonly client: Pick<FarmServerClient, 'upload'>,
    private readonly index: Pick<ServedIndex, 'files' | 'simpleUrl'>,
    private readonly deliver: Deliver = (delivery) => delivery(),
  ) {}

  async listWheels(repository: string, projects: readonly string[]): Promise<string[]> {
    return (await this.listWheelEntries(repository, projects)).map((e) => e.filename);
  }

  async listWheelEntries(repository: string, projects: readonly string[]): Promise<WheelEntry[]> {
    const entries: WheelEntry[] = [];
    for (const project of new Set(projects)) {
      for (const file of await this.index.files(repository, project)) {
        entries.push({ filename: file.filename, sha256: file.sha256, ...(file.recipeHash === undefined ? {} : { recipeHash: file.recipeHash }) });
      }
    }
    return entries;
  }

  /**
   * Uploads the wheel. The server answers `unchanged` for bytes it already
   * has (a retried delivery), and refuses different bytes under a published
   * name (`WheelRejectedError`), as the local collector does.
   */
  async collect(repository: string, wheelPath: string, options: CollectOptions = {}): Promise<CollectOutcome> {
    const answer = await this.deliver(() =>
      this.client.upload(repository, wheelPath, {
        ...(options.filename === undefined ? {} : { filename: options.filename }),
        ...(options.build === undefined ? {} : { provenance: { ...options.build } }),
        ...(options.build?.target === undefined ? {} : { target: options.build.target }),
      }),
    );
    return { filename: answer.filename, added: answer.status !== 'unchanged' };
  }

  /** Nothing to do: the server regenerated the index when it took each upload. */
  async regenerateIndex(): Promise<void> {}

  /** Containers read the repository from the served index. */
  wheelSource(repository: string): WheelSource {
    return { kind: 'index', url: this.index.simpleUrl(repository) };
  }
}
