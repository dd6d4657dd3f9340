/**
 * The token file: `<stateDir>/tokens.json`, mode 0600, on the server only.
 *
 * Why there and not in Redis: every worker can write to Redis (BullMQ needs
 * it), so a token store in Redis would let any worker host mint itself a
 * token for every repository. The state directory is private to the main
 * host; only `farm tokens` (writing) and `farm api` (reading) touch it, and
 * a worker's disk never holds more than its own secret.
 *
 * Writers take a lock file and replace the file atomically, so `farm tokens
 * revoke` while `farm api` runs is safe; the API re-reads the file when its
 * size, mtime or inode change, so a revocation applies to the next request.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../config/load-config.js';
import type { FarmConfig } from '../config/schema.js';
import { NotFoundError, UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../files/atomic-file.js';
import { withLock } from '../repository/repository-lock.js';
import { validate } from '../validation/validate.js';
import { TokenFile, type TokenKind, type TokenRecord } from './token-record.js';
import { hashTokenSecret, newTokenSecret } from './token-secret.js';

/** What `farm tokens create` asks for. */
export interface NewToken {
  readonly name: string;
  readonly kind: TokenKind;
  /** `null`: every target. */
  readonly targets: readonly string[] | null;
  /** `null`: every repository. */
  readonly repositories: readonly string[] | null;
}

/** A token just made: the secret is in this object and nowhere else. */
export interface CreatedToken {
  readonly secret: string;
  readonly token: TokenRecord;
}

interface Snapshot {
  readonly key: string;
  readonly tokens: readonly TokenRecord[];
}

/** Reads and writes the token file. */
export class TokenStore {
  #snapshot: Snapshot | undefined;

  constructor(
    /** The token file. */
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The store of a farm: `<stateDir>/tokens.json`. */
  static of(config: FarmConfig): TokenStore {
    return new TokenStore(path.join(stateDir(config), 'tokens.json'));
  }

  /**
   * Every token, revoked ones included. Cheap when the file did not change
   * since the last call (one `stat`).
   *
   * @throws ConfigError when the file is not a valid token file.
   */
  async tokens(): Promise<readonly TokenRecord[]> {
    let key: string;
    try {
      const s = await stat(this.file);
      key = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    if (this.#snapshot?.key === key) return this.#snapshot.tokens;
    const tokens = await this.#read();
    this.#snapshot = { key, tokens };
    return tokens;
  }

  /**
   * Makes a token and returns its secret (shown once). A name can be reused
   * only once its token is revoked.
   *
   * @throws UsageError when an active token has the name.
   */
  async create(input: NewToken): Promise<CreatedToken> {
    const secret = newTokenSecret();
    const token: TokenRecord = {
      name: input.name,
      kind: input.kind,
      sha256: hashTokenSecret(secret),
      targets: input.targets === null ? null : [...input.targets],
      repositories: input.repositories === null ? null : [...input.repositories],
      createdAt: this.now().toISOString(),
    };
    await this.#update((tokens) => {
      const same = tokens.find((t) => t.name === input.name);
      if (same !== undefined && same.revokedAt === undefined) {
        throw new UsageError(`a token named '${input.name}' exists`, {
          hint: `choose another name, or revoke it first: farm tokens revoke ${input.name}`,
        });
      }
      return [...tokens.filter((t) => t.name !== input.name), token];
    });
    return { secret, token };
  }

  /**
   * Revokes a token: every request with it gets 401 from now on, and a
   * worker using it stops taking jobs at its next check.
   *
   * @throws NotFoundError when no token has the name.
   */
  async revoke(name: string): Promise<TokenRecord> {
    let revoked: TokenRecord | undefined;
    await this.#update((tokens) =>
      tokens.map((t) => {
        if (t.name !== name) return t;
        revoked = t.revokedAt === undefined ? { ...t, revokedAt: this.now().toISOString() } : t;
        return revoked;
      }),
    );
    if (revoked === undefined) {
      throw new NotFoundError(`no token named '${name}'`, { hint: 'farm tokens list shows the tokens' });
    }
    return revoked;
  }

  async #read(): Promise<TokenRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${this.file}: not JSON (${(error as Error).message})`, {
        hint: 'restore it from a backup, or move it away and make new tokens',
      });
    }
    return validate(TokenFile, data, this.file).tokens;
  }

  async #update(change: (tokens: readonly TokenRecord[]) => TokenRecord[]): Promise<void> {
    await withLock(
      `${this.file}.lock`,
      async () => {
        const next: TokenFile = { format: 1, tokens: change(await this.#read()) };
        writeFileAtomicSync(this.file, `${JSON.stringify(next, null, 2)}\n`, { durable: true, mode: 0o600 });
        this.#snapshot = undefined;
      },
      { timeoutMs: 30_000 },
    );
  }
}
