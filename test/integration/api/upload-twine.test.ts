/**
 * The upload API with real clients: Debian's twine uploads a wheel into
 * `farm api` with an upload token made by `farm tokens create`, `farm serve`
 * serves it and pip installs it. Wrong and revoked tokens get 401 and write
 * nothing; the same name with different bytes is refused (409); a wrong
 * announced sha256, a wheel outside the token's targets, and a body over the
 * limit write nothing either. No secret reaches the API's log.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/server.js';
import type { FarmConfig } from '../../../src/config/schema.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { cleanEnv, runFarm } from '../cli/support/farm-process.js';
import { wheelBytes, writeWheel } from '../repository/support/make-wheel.js';
import { snapshot } from '../repository/support/tree.js';
import { makePipInstaller, pipEnv } from '../serve/support/pip.js';
import { LogCapture, REDIS_URL, dropPrefix, testConfig, testPrefix, unusedEngine } from './helpers.js';

const run = promisify(execFile);

let tmp: string;
let root: string;
let configFile: string;
let config: FarmConfig;
let api: RunningApi;
let serve: RunningServer;
const prefix = testPrefix('upload');
const log = new LogCapture();
const secrets: string[] = [];
const RECIPE = `sha256:${'0'.repeat(64)}`;

/** `farm tokens create ...` through the real CLI; returns the secret it printed. */
async function createToken(args: string[]): Promise<string> {
  const result = await runFarm(['tokens', 'create', ...args], { env: cleanEnv({ FARM_CONFIG: configFile }) });
  expect(result.code, result.stderr).toBe(0);
  const secret = result.stdout.trim();
  expect(secret).toMatch(/^farm_[A-Za-z0-9_-]{43}$/);
  secrets.push(secret);
  return secret;
}

/** `twine upload` of `files` into the glibc repository; never throws. */
async function twine(token: string, files: string[], repo = 'glibc'): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...pipEnv(), HOME: tmp, TWINE_NON_INTERACTIVE: '1', PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' };
  for (const key of Object.keys(env)) if (key.startsWith('TWINE_') && key !== 'TWINE_NON_INTERACTIVE') delete env[key];
  try {
    const { stdout, stderr } = await run(
      '/usr/bin/twine',
      ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', `${api.url}/${repo}/upload/`, '-u', '__token__', '-p', token, ...files],
      { env, timeout: 120_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A raw legacy-protocol upload, for what twine won't send (a wrong digest, a worker's fields). */
async function rawUpload(token: string, file: string, fields: Record<string, string>, repo = 'glibc'): Promise<{ status: number; body: string }> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('content', await fs.openAsBlob(file), path.basename(file));
  const response = await fetch(`${api.url}/${repo}/upload/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text() };
}

function formFor(file: string, sha256: string): Record<string, string> {
  const [name = '', version = ''] = path.basename(file).split('-');
  return { ':action': 'file_upload', protocol_version: '1', name, version, filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: sha256 };
}

const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-upload-it-'));
  root = path.join(tmp, 'root');
  configFile = path.join(tmp, 'farm.config.yaml');
  const yaml = [`root: ${root}`, `stateDir: ${tmp}/state`, `redis: { url: "${REDIS_URL}" }`, 'api: { uploadLimitBytes: 65536 }'].join('\n');
  fs.writeFileSync(configFile, yaml);
  fs.mkdirSync(root, { recursive: true });
  config = testConfig(yaml);
  api = await startApi(config, { engine: unusedEngine, prefix, port: 0, host: '127.0.0.1', triggerWorker: false, syncSchedules: false, logStream: log });
  serve = await startServer({ root, port: 0, host: '127.0.0.1', accessLog: () => {} });
});

afterAll(async () => {
  await api?.close();
  await serve?.close();
  await dropPrefix(prefix);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('twine upload into farm api', () => {
  let uploadToken: string;
  const wheel = () => path.join(tmp, 'dist', 'farm_twined-1.0-py3-none-any.whl');

  it('uploads with an upload token; farm serve serves it and pip installs it', async () => {
    uploadToken = await createToken(['--name', 'ci', '--repos', 'glibc', '--upload']);
    writeWheel(path.join(tmp, 'dist'), { name: 'farm_twined', version: '1.0', summary: 'uploaded by twine', flavour: 'first' });
    const result = await twine(uploadToken, [wheel()]);
    expect(result.code, result.output).toBe(0);

    const published = path.join(root, 'glibc', 'packages', 'farm_twined-1.0-py3-none-any.whl');
    expect(sha256Of(published)).toBe(sha256Of(wheel()));
    const installer = await makePipInstaller(path.join(tmp, 'venv'));
    const output = await installer.pip(['install', '--no-cache-dir', '--index-url', `${serve.url}glibc/simple/`, 'farm-twined==1.0']);
    expect(output).toContain('Successfully installed farm-twined-1.0');
    expect((await installer.python('import farm_twined; print(farm_twined.FLAVOUR)')).trim()).toBe('first');
  });

  it('the same wheel again is accepted as unchanged (a retried upload)', async () => {
    const before = snapshot(root);
    const result = await twine(uploadToken, [wheel()]);
    expect(result.code, result.output).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it('the same name with different bytes is refused with 409, the published file kept', async () => {
    const other = path.join(tmp, 'other', 'farm_twined-1.0-py3-none-any.whl');
    writeWheel(path.dirname(other), { name: 'farm_twined', version: '1.0', flavour: 'second' });
    const before = snapshot(root);
    const result = await twine(uploadToken, [other]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/409/);
    expect(result.output).toMatch(/immutable/);
    expect(snapshot(root)).toEqual(before);
  });

  it('a wrong token gets 401 and nothing is written', async () => {
    const fresh = writeWheel(path.join(tmp, 'dist2'), { name: 'farm_unwanted', version: '1.0' });
    const before = snapshot(root);
    const result = await twine(`farm_${'x'.repeat(43)}`, [fresh]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/401/);
    expect(result.output).toMatch(/unknown token/);
    expect(snapshot(root)).toEqual(before);
  });

  it('a revoked token gets 401 and nothing is written', async () => {
    const token = await createToken(['--name', 'ci-old', '--upload']);
    const revoked = await runFarm(['tokens', 'revoke', 'ci-old'], { env: cleanEnv({ FARM_CONFIG: configFile }) });
    expect(revoked.code, revoked.stderr).toBe(0);
    const fresh = writeWheel(path.join(tmp, 'dist3'), { name: 'farm_late', version: '1.0' });
    const before = snapshot(root);
    const result = await twine(token, [fresh]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/401/);
    expect(result.output).toMatch(/revoked/);
    expect(snapshot(root)).toEqual(before);
  });

  it('a repository outside the token scope gets 403', async () => {
    const fresh = writeWheel(path.join(tmp, 'dist4'), { name: 'farm_musl', version: '1.0' });
    const before = snapshot(root);
    const result = await twine(uploadToken, [fresh], 'musl');
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/403/);
    expect(snapshot(root)).toEqual(before);
  });

  it('lists tokens by name and scope, never their secrets; the token file is private', async () => {
    const listed = await runFarm(['tokens', 'list'], { env: cleanEnv({ FARM_CONFIG: configFile, NO_COLOR: '1' }) });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ci\s+upload\s+any\s+glibc\s+\S+\s+active/);
    expect(listed.stdout).toMatch(/ci-old\s+upload\s+any\s+any\s+\S+\s+revoked/);
    const file = path.join(tmp, 'state', 'tokens.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    for (const secret of secrets) {
      expect(listed.stdout).not.toContain(secret);
      expect(fs.readFileSync(file, 'utf8')).not.toContain(secret);
    }
  });
});

describe('the upload API refuses, writing nothing', () => {
  let armToken: string;
  let ciToken: string;

  beforeAll(async () => {
    armToken = await createToken(['--name', 'arm-box', '--targets', 'glibc-armv7']);
    ciToken = await createToken(['--name', 'ci-any', '--upload']);
  });

  it('an announced sha256 that does not match the bytes: 400', async () => {
    const file = writeWheel(path.join(tmp, 'mismatch'), { name: 'farm_mismatch', version: '1.0' });
    const before = snapshot(root);
    const response = await rawUpload(ciToken, file, formFor(file, 'a'.repeat(64)));
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/sha256 mismatch.*nothing was published/);
    expect(snapshot(root)).toEqual(before);
  });

  it("a wheel for a target outside a worker token's targets: 403", async () => {
    const file = writeWheel(path.join(tmp, 'scope'), { name: 'farm_native', version: '1.0', tag: 'cp311-cp311-linux_x86_64' });
    const before = snapshot(root);
    const response = await rawUpload(armToken, file, { ...formFor(file, sha256Of(file)), farm_target: 'glibc-armv7', farm_provenance: JSON.stringify({ recipeHash: RECIPE }) });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/linux_x86_64.*none of its targets glibc-armv7/);
    const asOtherTarget = await rawUpload(armToken, file, { ...formFor(file, sha256Of(file)), farm_target: 'glibc-x86_64', farm_provenance: JSON.stringify({ recipeHash: RECIPE }) });
    expect(asOtherTarget.status).toBe(403);
    expect(snapshot(root)).toEqual(before);
  });

  it('an armv7 wheel with a worker token for glibc-armv7 is collected and indexed, with its provenance', async () => {
    const file = writeWheel(path.join(tmp, 'arm'), { name: 'farm_arm', version: '1.0', tag: 'cp311-cp311-linux_armv7l' });
    const response = await rawUpload(armToken, file, { ...formFor(file, sha256Of(file)), farm_target: 'glibc-armv7', farm_provenance: JSON.stringify({ recipeHash: RECIPE, image: 'img', target: 'glibc-armv7' }) });
    expect(response.status, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'added', repository: 'glibc', filename: 'farm_arm-1.0-cp311-cp311-linux_armv7l.whl' });
    const inventory = JSON.parse(fs.readFileSync(path.join(root, 'glibc', '.farm', 'inventory', 'farm-arm.json'), 'utf8')) as { files: { build?: unknown }[] };
    expect(inventory.files[0]!.build).toEqual({ recipeHash: RECIPE, image: 'img', target: 'glibc-armv7' });
    // Indexed at once, provenance included: remote workers read it there.
    const page = await fetch(`${serve.url}glibc/simple/farm-arm/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    const json = (await page.json()) as { files: { filename: string; _farm?: { recipeHash: string } }[] };
    expect(json.files.map((f) => [f.filename, f._farm?.recipeHash])).toEqual([['farm_arm-1.0-cp311-cp311-linux_armv7l.whl', RECIPE]]);
  });

  it('build provenance from an upload token: 403', async () => {
    const file = writeWheel(path.join(tmp, 'fake'), { name: 'farm_fake', version: '1.0' });
    const response = await rawUpload(ciToken, file, { ...formFor(file, sha256Of(file)), farm_provenance: JSON.stringify({ recipeHash: RECIPE }), farm_target: 'glibc-x86_64' });
    expect(response.status).toBe(403);
    expect(fs.existsSync(path.join(root, 'glibc', 'packages', path.basename(file)))).toBe(false);
  });

  it('a file over api.uploadLimitBytes: 413', async () => {
    const big = path.join(tmp, 'big', 'farm_big-1.0-py3-none-any.whl');
    fs.mkdirSync(path.dirname(big), { recursive: true });
    fs.writeFileSync(big, Buffer.concat([wheelBytes({ name: 'farm_big', version: '1.0' }), Buffer.alloc(100_000)]));
    const response = await rawUpload(ciToken, big, formFor(big, sha256Of(big)));
    expect(response.status).toBe(413);
    expect(fs.existsSync(path.join(root, 'glibc', 'packages', path.basename(big)))).toBe(false);
    expect(fs.readdirSync(path.join(tmp, 'state', 'uploads'))).toEqual([]);
  });

  it('no secret reached the log', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(log.text).not.toContain(secret);
    expect(log.text).toMatch(/"token":"ci"/);
  });
});
