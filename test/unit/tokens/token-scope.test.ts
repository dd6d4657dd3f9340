import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import type { TokenRecord } from '../../../src/tokens/token-record.js';
import { authenticate, authorize, scopeCatalog, type TokenAccess } from '../../../src/tokens/token-scope.js';
import { hashTokenSecret, looksLikeTokenSecret, newTokenSecret } from '../../../src/tokens/token-secret.js';
import { parseWheelFilename } from '../../../src/wheels/wheel-filename.js';

const catalog = scopeCatalog(parseConfig('targets: { glibc-armv7: { repository: boards } }', 'test'));

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    name: 't',
    kind: 'worker',
    sha256: hashTokenSecret('farm_secret'),
    targets: null,
    repositories: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const wheel = (filename: string) => parseWheelFilename(filename);
const X86 = wheel('a-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
const ARM = wheel('a-1.0-cp311-cp311-linux_armv7l.whl');
const MUSL = wheel('a-1.0-cp311-cp311-musllinux_1_2_x86_64.whl');
const PURE = wheel('a-1.0-py3-none-any.whl');

describe('authenticate', () => {
  const tokens = [token({ name: 'live' }), token({ name: 'old', sha256: hashTokenSecret('farm_old'), revokedAt: '2026-02-01T00:00:00.000Z' })];
  it.each([
    [undefined, /no token/],
    ['', /no token/],
    ['farm_wrong', /unknown token/],
    ['farm_old', /'old' was revoked at 2026-02-01/],
  ])('%s is refused', (secret, reason) => {
    const result = authenticate(tokens, secret);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
  it('finds the token by its secret', () => {
    expect(authenticate(tokens, 'farm_secret')).toEqual({ ok: true, token: tokens[0] });
  });
});

describe('authorize', () => {
  const cases: [string, Partial<TokenRecord>, TokenAccess, RegExp | null][] = [
    ['any worker token serves any target', {}, { kind: 'work', targets: ['glibc-armv7', 'musl-x86_64'] }, null],
    ['an upload token cannot work', { kind: 'upload' }, { kind: 'work', targets: [] }, /upload token cannot run a worker/],
    ['a worker outside its targets', { targets: ['glibc-armv7'] }, { kind: 'work', targets: ['glibc-armv7', 'glibc-x86_64'] }, /not glibc-x86_64/],
    ['logs of its target', { targets: ['glibc-armv7'] }, { kind: 'log', target: 'glibc-armv7' }, null],
    ['logs of another target', { targets: ['glibc-armv7'] }, { kind: 'log', target: 'musl-x86_64' }, /not musl-x86_64/],
    ['upload tokens write no logs', { kind: 'upload' }, { kind: 'log', target: 'musl-x86_64' }, /only worker tokens/],
    ['repository in scope', { repositories: ['glibc'] }, { kind: 'repository', repository: 'glibc' }, null],
    ['repository out of scope', { repositories: ['glibc'] }, { kind: 'repository', repository: 'musl' }, /not musl/],
    ['x86_64 wheel, any target', {}, { kind: 'upload', repository: 'glibc', wheel: X86 }, null],
    ['x86_64 wheel, armv7-only token', { targets: ['glibc-armv7'] }, { kind: 'upload', repository: 'boards', wheel: X86 }, /none of its targets glibc-armv7/],
    ['armv7 wheel into its repository', { targets: ['glibc-armv7'] }, { kind: 'upload', repository: 'boards', wheel: ARM, target: 'glibc-armv7' }, null],
    ['armv7 wheel into another repository', { targets: ['glibc-armv7'] }, { kind: 'upload', repository: 'glibc', wheel: ARM }, /none of its targets .* publishes into repository glibc/],
    ['a pure wheel fits every target', { targets: ['glibc-armv7'] }, { kind: 'upload', repository: 'boards', wheel: PURE }, null],
    ['musl wheel into glibc', {}, { kind: 'upload', repository: 'glibc', wheel: MUSL }, /is for none of its targets/],
    ['delivery for a target outside the token', { targets: ['glibc-armv7'] }, { kind: 'upload', repository: 'glibc', wheel: X86, target: 'glibc-x86_64' }, /builds of glibc-armv7 only/],
    ['upload into a repository outside the token', { repositories: ['musl'] }, { kind: 'upload', repository: 'glibc', wheel: PURE }, /may upload to musl only/],
  ];
  it.each(cases)('%s', (_name, overrides, access, refusal) => {
    const decision = authorize(token(overrides), access, catalog);
    if (refusal === null) expect(decision).toEqual({ ok: true });
    else expect(!decision.ok && decision.reason).toMatch(refusal);
  });
});

describe('token secrets', () => {
  it('are farm_ plus 43 base64url characters, stored as a sha256', () => {
    const secret = newTokenSecret();
    expect(looksLikeTokenSecret(secret)).toBe(true);
    expect(hashTokenSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(newTokenSecret()).not.toBe(secret);
  });
});
