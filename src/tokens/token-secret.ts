/**
 * Token secrets: 32 random bytes, base64url, with a `farm_` prefix so a
 * leaked one is recognisable (secret scanners, logs). Stored only as their
 * sha256: a token has 256 bits of entropy, so a fast hash is as safe as a
 * slow one and lets every request be checked cheaply.
 */
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'farm_';

/** A new secret: `farm_` + 43 base64url characters. */
export function newTokenSecret(random: (n: number) => Buffer = randomBytes): string {
  return PREFIX + random(32).toString('base64url');
}

/** The stored form of a secret (hex sha256). */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True for something shaped like a farm token (a cheap check before hashing). */
export function looksLikeTokenSecret(value: string): boolean {
  return /^farm_[A-Za-z0-9_-]{43}$/.test(value);
}
