/**
 * The admin session: what the `farm_admin` cookie holds instead of the admin
 * token. Pure (node:crypto only).
 *
 * A session value is `v1.<expires>.<mac>`: `expires` in Unix seconds and
 * `mac` = HMAC-SHA256 over `farm-admin-session v1 <expires>` keyed by the
 * admin token. A stolen cookie therefore lapses, never reveals the token,
 * and every session ends when the token is rotated; no server-side session
 * store is needed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a login lasts (12 hours). */
export const SESSION_SECONDS = 12 * 60 * 60;

const SESSION = /^v1\.(\d{1,12})\.([0-9a-f]{64})$/;

function mac(token: string, expires: number): Buffer {
  return createHmac('sha256', token).update(`farm-admin-session v1 ${expires}`).digest();
}

/** A new session value for `token`, valid for `SESSION_SECONDS` from `nowMs`. */
export function issueSession(token: string, nowMs: number): string {
  const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS;
  return `v1.${expires}.${mac(token, expires).toString('hex')}`;
}

/**
 * True when `value` is a session issued for `token` that has not expired.
 * Anything else (missing, malformed, expired, forged, for another token) is false.
 */
export function verifySession(token: string, value: string | undefined, nowMs: number): boolean {
  if (token === '' || value === undefined) return false;
  const match = SESSION.exec(value);
  if (match === null) return false;
  const expires = Number(match[1]);
  if (expires * 1000 <= nowMs) return false;
  const given = Buffer.from(match[2]!, 'hex');
  const expected = mac(token, expires);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
