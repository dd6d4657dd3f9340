import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../../src/errors.js';
import { authenticate } from '../../../src/tokens/token-scope.js';
import { TokenStore } from '../../../src/tokens/token-store.js';

const dirs: string[] = [];
function store(): TokenStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-tokens-'));
  dirs.push(dir);
  return new TokenStore(path.join(dir, 'state', 'tokens.json'));
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('TokenStore', () => {
  it('stores only the hash, in a private file, and authenticates the secret', async () => {
    const tokens = store();
    const { secret, token } = await tokens.create({ name: 'arm-1', kind: 'worker', targets: ['glibc-armv7'], repositories: null });
    const text = fs.readFileSync(tokens.file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain(token.sha256);
    expect(fs.statSync(tokens.file).mode & 0o777).toBe(0o600);
    expect(authenticate(await tokens.tokens(), secret)).toMatchObject({ ok: true, token: { name: 'arm-1' } });
  });

  it('sees a revocation made by another store on the same file (another process)', async () => {
    const api = store();
    const cli = new TokenStore(api.file);
    const { secret } = await cli.create({ name: 'ci', kind: 'upload', targets: null, repositories: ['glibc'] });
    expect(authenticate(await api.tokens(), secret).ok).toBe(true);
    await cli.revoke('ci');
    expect(authenticate(await api.tokens(), secret)).toMatchObject({ ok: false, reason: expect.stringMatching(/revoked/) });
  });

  it('refuses an active duplicate name, allows reusing a revoked one', async () => {
    const tokens = store();
    await tokens.create({ name: 'ci', kind: 'upload', targets: null, repositories: null });
    await expect(tokens.create({ name: 'ci', kind: 'upload', targets: null, repositories: null })).rejects.toBeInstanceOf(UsageError);
    await tokens.revoke('ci');
    const again = await tokens.create({ name: 'ci', kind: 'upload', targets: null, repositories: null });
    expect((await tokens.tokens()).map((t) => [t.name, t.revokedAt])).toEqual([['ci', undefined]]);
    expect(authenticate(await tokens.tokens(), again.secret).ok).toBe(true);
  });

  it('revoking an unknown name is NotFoundError; a missing file is no tokens', async () => {
    const tokens = store();
    expect(await tokens.tokens()).toEqual([]);
    await expect(tokens.revoke('nobody')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('names the file when it is not a token file', async () => {
    const tokens = store();
    fs.mkdirSync(path.dirname(tokens.file), { recursive: true });
    fs.writeFileSync(tokens.file, JSON.stringify({ format: 1, tokens: [{ name: 'x' }] }));
    await expect(tokens.tokens()).rejects.toThrow(tokens.file);
  });
});
