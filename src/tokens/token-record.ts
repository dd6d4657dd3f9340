/**
 * What farm keeps about an access token: its name, its kind, its scope and
 * the sha256 of its secret. The secret itself is printed once when the token
 * is made and never stored. One schema per external input: the token file
 * is read back with these.
 */
import { z } from 'zod';

/** `arm-box-1`, `ci-web`: names a token in `farm tokens list|revoke` and in the API's log. */
export const TokenName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a name like "arm-box-1" (lower case letters, digits, . _ -)');

/**
 * `worker`: a remote `farm worker` (takes jobs of its targets, delivers their
 * wheels and logs). `upload`: a user's CI uploading wheels with twine.
 */
export const TokenKind = z.enum(['worker', 'upload']);
export type TokenKind = z.infer<typeof TokenKind>;

/** One token, as stored. */
export const TokenRecord = z.strictObject({
  name: TokenName,
  kind: TokenKind,
  /** Hex sha256 of the secret: enough to recognise it, useless to present it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex sha256'),
  /** Target ids whose wheels (and jobs) the token may deliver; `null`: every target. */
  targets: z.array(z.string().min(1)).min(1).nullable(),
  /** Repositories it may write to; `null`: every repository (within `targets`). */
  repositories: z.array(z.string().min(1)).min(1).nullable(),
  createdAt: z.iso.datetime(),
  /** Set when revoked: the token is refused from then on. */
  revokedAt: z.iso.datetime().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** The token file (`<stateDir>/tokens.json`). */
export const TokenFile = z.strictObject({
  format: z.literal(1),
  tokens: z.array(TokenRecord),
});
export type TokenFile = z.infer<typeof TokenFile>;
