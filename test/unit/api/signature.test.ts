import { describe, expect, it } from 'vitest';
import { FORGES } from '../../../src/api/forges.js';
import { hmacSha256Hex, verifyHmacSha256, verifyToken } from '../../../src/api/signature.js';

const secret = "It's a Secret to Everybody";
const body = Buffer.from('Hello, World!');
// GitHub's documented test vector for this secret and payload.
const knownGood = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('hmacSha256Hex', () => {
  it('matches the documented GitHub example', () => {
    expect(hmacSha256Hex(secret, body)).toBe(knownGood);
  });
});

describe('verifyHmacSha256 (X-Hub-Signature-256)', () => {
  const cases: [string, string | undefined, boolean][] = [
    ['good', `sha256=${knownGood}`, true],
    ['good, upper-case hex', `sha256=${knownGood.toUpperCase()}`, true],
    ['good, surrounding spaces', `  sha256=${knownGood} `, true],
    ['missing header', undefined, false],
    ['empty header', '', false],
    ['no prefix', knownGood, false],
    ['sha1 prefix', `sha1=${knownGood}`, false],
    ['short', `sha256=${knownGood.slice(0, 63)}`, false],
    ['truncated to 32 hex', `sha256=${knownGood.slice(0, 32)}`, false],
    ['too long', `sha256=${knownGood}00`, false],
    ['not hex', `sha256=${'z'.repeat(64)}`, false],
    ['one digit off', `sha256=${knownGood.slice(0, 63)}8`, false],
    ['signature of another body', `sha256=${hmacSha256Hex(secret, Buffer.from('Hello, World?'))}`, false],
    ['signature under another secret', `sha256=${hmacSha256Hex('other', body)}`, false],
  ];
  it.each(cases)('%s', (_name, header, expected) => {
    expect(verifyHmacSha256(secret, body, header, 'sha256=')).toBe(expected);
  });

  it('rejects everything when the secret is empty', () => {
    expect(verifyHmacSha256('', body, `sha256=${hmacSha256Hex('', body)}`, 'sha256=')).toBe(false);
  });
});

describe('verifyHmacSha256 (X-Gitea-Signature, bare hex)', () => {
  const cases: [string, string | undefined, boolean][] = [
    ['good', knownGood, true],
    ['prefixed is not bare', `sha256=${knownGood}`, false],
    ['missing', undefined, false],
    ['short', knownGood.slice(0, 10), false],
    ['wrong', hmacSha256Hex('nope', body), false],
  ];
  it.each(cases)('%s', (_name, header, expected) => {
    expect(verifyHmacSha256(secret, body, header, '')).toBe(expected);
  });
});

describe('verifyToken (X-Gitlab-Token)', () => {
  const cases: [string, string | undefined, boolean][] = [
    ['good', 'glpat-token-123', true],
    ['missing', undefined, false],
    ['empty', '', false],
    ['prefix of the token', 'glpat-token-12', false],
    ['token plus a character', 'glpat-token-1234', false],
    ['different case', 'GLPAT-TOKEN-123', false],
  ];
  it.each(cases)('%s', (_name, header, expected) => {
    expect(verifyToken('glpat-token-123', header)).toBe(expected);
  });

  it('rejects everything when the secret is empty', () => {
    expect(verifyToken('', '')).toBe(false);
    expect(verifyToken('', 'x')).toBe(false);
  });
});

describe('forge verification headers', () => {
  const sig = hmacSha256Hex(secret, body);
  const bad = hmacSha256Hex('wrong', body);
  const cases: [string, keyof typeof FORGES, Record<string, string>, boolean][] = [
    ['github: X-Hub-Signature-256', 'github', { 'x-hub-signature-256': `sha256=${sig}` }, true],
    ['github: legacy X-Hub-Signature (sha1) alone is not enough', 'github', { 'x-hub-signature': `sha1=${sig}` }, false],
    ['gitea: X-Gitea-Signature', 'gitea', { 'x-gitea-signature': sig }, true],
    ['forgejo: X-Forgejo-Signature', 'gitea', { 'x-forgejo-signature': sig }, true],
    ['gitea: X-Hub-Signature-256 only', 'gitea', { 'x-hub-signature-256': `sha256=${sig}` }, true],
    ['forgejo: bad Forgejo header not rescued by a good Gitea one', 'gitea', { 'x-forgejo-signature': bad, 'x-gitea-signature': sig }, false],
    ['gitea: none', 'gitea', {}, false],
    ['gitlab: token', 'gitlab', { 'x-gitlab-token': secret }, true],
    ['gitlab: an HMAC is not the token', 'gitlab', { 'x-gitlab-token': sig }, false],
  ];
  it.each(cases)('%s', (_name, forge, headers, expected) => {
    expect(FORGES[forge].verify(secret, headers, body)).toBe(expected);
  });
});
