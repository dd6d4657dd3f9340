/**
 * Webhook authenticity checks. Every comparison is constant-time over
 * equal-length buffers, so neither the content nor the length of a secret
 * leaks through response timing. Pure: node:crypto only.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `body` under `secret`: what GitHub and Gitea send. */
export function hmacSha256Hex(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

/**
 * Checks an HMAC-SHA256 signature header over the raw body. `prefix` is
 * `sha256=` for GitHub's `X-Hub-Signature-256` and empty for Gitea's and
 * Forgejo's bare hex. Missing, malformed, short or wrong signatures, and an
 * empty secret, all give false.
 */
export function verifyHmacSha256(
  secret: string,
  body: Uint8Array,
  header: string | undefined,
  prefix: '' | 'sha256=',
): boolean {
  if (secret === '' || header === undefined) return false;
  const value = header.trim();
  if (!value.startsWith(prefix)) return false;
  const hex = value.slice(prefix.length);
  if (!HEX_DIGEST.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Checks a shared-token header (GitLab's `X-Gitlab-Token`, a bearer token).
 * Both sides are hashed first so the compared buffers always have the same
 * length and the token's length does not leak.
 */
export function verifyToken(secret: string, header: string | undefined): boolean {
  if (secret === '' || header === undefined || header === '') return false;
  const given = createHash('sha256').update(header).digest();
  const expected = createHash('sha256').update(secret).digest();
  return timingSafeEqual(given, expected);
}
