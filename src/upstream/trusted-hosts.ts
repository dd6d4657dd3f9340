/**
 * Which index hosts pip must be told to trust. pip refuses a plain-http
 * index on any host but localhost ("is not a trusted or secure host") and
 * then resolves as if it had no releases ("from versions: none"); a LAN
 * mirror on http (devpi, a private index) is exactly that. farm passes the
 * host of every configured `http://` index that is not a loopback address
 * to every pip it runs, through `PIP_TRUSTED_HOST` (build isolation's inner
 * pip inherits it). Pure.
 */

/** Hosts pip already treats as secure origins over plain http. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `host[:port]` of each plain-http, non-loopback URL, once each, in order. */
export function trustedHosts(indexUrls: readonly string[]): string[] {
  const hosts: string[] = [];
  for (const raw of indexUrls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' || LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.')) continue;
    if (!hosts.includes(url.host)) hosts.push(url.host);
  }
  return hosts;
}

/** The environment that makes pip trust them (empty when there are none). */
export function pipTrustEnv(indexUrls: readonly string[]): Record<string, string> {
  const hosts = trustedHosts(indexUrls);
  return hosts.length === 0 ? {} : { PIP_TRUSTED_HOST: hosts.join(' ') };
}
