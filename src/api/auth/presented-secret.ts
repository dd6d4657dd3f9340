/**
 * The token a request presents: `Authorization: Bearer <token>` (farm's
 * workers, curl) or HTTP Basic with the token as the password (twine and pip
 * send `__token__:<token>`, the convention PyPI set). Pure.
 */

/** The secret in an `Authorization` header value, or `undefined`. */
export function presentedSecret(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const space = authorization.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return value === '' ? undefined : value;
  if (scheme !== 'basic') return undefined;
  let decoded: string;
  try {
    decoded = Buffer.from(value, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  // The user name is not checked: the token alone identifies its holder.
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}
