import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/api/admin-auth.js';
import { issueSession, SESSION_SECONDS, verifySession } from '../../../src/api/admin-session.js';

const TOKEN = 'tok-1';
const NOW = Date.UTC(2026, 0, 1);

describe('admin sessions', () => {
  const value = issueSession(TOKEN, NOW);

  it.each([
    ['a fresh session', TOKEN, value, NOW, true],
    ['just before it expires', TOKEN, value, NOW + SESSION_SECONDS * 1000 - 1, true],
    ['once expired', TOKEN, value, NOW + SESSION_SECONDS * 1000, false],
    ['after the token is rotated', 'tok-2', value, NOW, false],
    ['the raw token as a cookie', TOKEN, TOKEN, NOW, false],
    ['a forged expiry', TOKEN, value.replace(/^v1\.\d+/, `v1.${Math.floor(NOW / 1000) + 10 * SESSION_SECONDS}`), NOW, false],
    ['garbage', TOKEN, '%E0', NOW, false],
    ['nothing', TOKEN, undefined, NOW, false],
    ['an empty token', '', value, NOW, false],
  ])('%s', (_label, token, cookie, now, ok) => {
    expect(verifySession(token, cookie, now)).toBe(ok);
  });

  it('never contains the token', () => {
    expect(value).not.toContain(TOKEN);
  });
});

describe('safeNext (where a login returns to)', () => {
  it.each([
    ['/admin/requests/abc', '/admin/requests/abc'],
    ['/admin/', '/admin/'],
    ['/admin?x=1', '/admin?x=1'],
    ['https://evil.example/', '/admin/'],
    ['//evil.example/admin/', '/admin/'],
    ['/admin//evil.example', '/admin/'],
    ['/adminx', '/admin/'],
    ['/admin/"><script>', '/admin/'],
    [undefined, '/admin/'],
  ])('%s → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
