/**
 * Who may do what: the pure decisions behind the API's 401 and 403 answers.
 * `authenticate` finds the token a request presented; `authorize` checks one
 * access against the token's kind and scope. No I/O: the API reads the
 * token file and the config, and passes them in.
 */
import type { FarmConfig } from '../config/schema.js';
import { targetSettings } from '../config/target-settings.js';
import { TARGETS } from '../targets/catalog.js';
import { platformTags } from '../targets/platform-tags.js';
import type { WheelFilename } from '../wheels/wheel-filename.js';
import type { TokenRecord } from './token-record.js';
import { hashTokenSecret } from './token-secret.js';

/** What a request wants to do with its token. */
export type TokenAccess =
  /** Deliver one wheel into a repository: twine, or a worker's finished build of `target`. */
  | { readonly kind: 'upload'; readonly repository: string; readonly wheel: WheelFilename; readonly target?: string }
  /** Run a worker that takes the jobs of these targets. */
  | { readonly kind: 'work'; readonly targets: readonly string[] }
  /** Write the build log of a job of `target`. */
  | { readonly kind: 'log'; readonly target: string }
  /** Use a repository at all: read what it holds (a worker's dedupe), or start an upload into it. */
  | { readonly kind: 'repository'; readonly repository: string };

/** The facts about targets the decisions need (from the config). */
export interface ScopeCatalog {
  /** Target ids farm knows. */
  readonly targets: readonly string[];
  /** The repository a target's wheels land in. */
  repositoryOf(targetId: string): string;
  /** Wheel platform tags a target installs (`any` is always accepted). */
  platformTagsOf(targetId: string): readonly string[];
}

/** The catalog as configured (repositories can be overridden per target). */
export function scopeCatalog(config: FarmConfig): ScopeCatalog {
  return {
    targets: [...TARGETS.keys()],
    repositoryOf: (id) => targetSettings(config, TARGETS.get(id)!).repository,
    platformTagsOf: (id) => platformTags(TARGETS.get(id)!),
  };
}

export type Authentication = { ok: true; token: TokenRecord } | { ok: false; reason: string };
export type Decision = { ok: true } | { ok: false; reason: string };

/**
 * The token whose secret was presented. Lookup is by the secret's sha256:
 * what a timing difference could reveal is a prefix of a hash, which does
 * not help anyone find a secret.
 */
export function authenticate(tokens: readonly TokenRecord[], secret: string | undefined): Authentication {
  if (secret === undefined || secret === '') {
    return { ok: false, reason: 'no token: send "Authorization: Bearer <token>" (twine: -u __token__ -p <token>)' };
  }
  const sha256 = hashTokenSecret(secret);
  const token = tokens.find((t) => t.sha256 === sha256);
  if (token === undefined) return { ok: false, reason: 'unknown token' };
  if (token.revokedAt !== undefined) return { ok: false, reason: `token '${token.name}' was revoked at ${token.revokedAt}` };
  return { ok: true, token };
}

const list = (items: readonly string[]) => items.join(', ');

/** Targets of the token (all when it names none). */
function tokenTargets(token: TokenRecord, catalog: ScopeCatalog): readonly string[] {
  return token.targets ?? catalog.targets;
}

/** Whether `token` may do `access`; the reason names the scope that refuses it. */
export function authorize(token: TokenRecord, access: TokenAccess, catalog: ScopeCatalog): Decision {
  const deny = (reason: string): Decision => ({ ok: false, reason: `token '${token.name}': ${reason}` });
  const targets = tokenTargets(token, catalog);
  const inRepos = (repository: string) => token.repositories === null || token.repositories.includes(repository);
  switch (access.kind) {
    case 'work': {
      if (token.kind !== 'worker') return deny('an upload token cannot run a worker; make a worker token (farm tokens create without --upload)');
      const outside = access.targets.filter((t) => !targets.includes(t));
      if (outside.length > 0) return deny(`may serve ${list(targets)} only, not ${list(outside)}`);
      return { ok: true };
    }
    case 'log': {
      if (token.kind !== 'worker') return deny('only worker tokens write build logs');
      if (!targets.includes(access.target)) return deny(`may write logs of ${list(targets)} only, not ${access.target}`);
      return { ok: true };
    }
    case 'repository': {
      if (!inRepos(access.repository)) return deny(`may use repositories ${list(token.repositories ?? [])} only, not ${access.repository}`);
      return { ok: true };
    }
    case 'upload': {
      if (!inRepos(access.repository)) return deny(`may upload to ${list(token.repositories ?? [])} only, not ${access.repository}`);
      if (access.target !== undefined && !targets.includes(access.target)) {
        return deny(`may deliver builds of ${list(targets)} only, not ${access.target}`);
      }
      // The wheel must install on one of the token's targets that publish into this repository.
      const candidates = (access.target !== undefined ? [access.target] : targets).filter(
        (t) => catalog.repositoryOf(t) === access.repository,
      );
      if (candidates.length === 0) {
        return deny(`none of its targets (${list(targets)}) publishes into repository ${access.repository}`);
      }
      const platforms = access.wheel.platformTags;
      const fits = candidates.some((t) => {
        const accepted = catalog.platformTagsOf(t);
        return platforms.some((p) => p === 'any' || accepted.includes(p));
      });
      if (!fits) {
        return deny(`${access.wheel.filename} (platform ${list(platforms)}) is for none of its targets ${list(candidates)}`);
      }
      return { ok: true };
    }
  }
}
