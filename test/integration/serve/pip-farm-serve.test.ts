import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_JSON } from '../../../src/index/content-types.js';
import type { AccessLogEntry } from '../../../src/serve/access-log.js';
import { startServer, type RunningServer } from '../../../src/serve/start-server.js';
import { buildPipFixture, makePipInstaller, requirementsFromIndex, type PipInstaller } from './support/pip.js';

let tmp: string;
let root: string;
let server: RunningServer;
let installer: PipInstaller;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-serve-pip-'));
  root = path.join(tmp, 'root');
  await buildPipFixture(root, path.join(tmp, 'work'));
  server = await startServer({ root, port: 0, host: '127.0.0.1', accessLog: (e) => log.push(e) });
  installer = await makePipInstaller(path.join(tmp, 'venv'));
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('pip installs from `farm serve`', () => {
  it('with --require-hashes, hashes taken from the index, over the PEP 691 JSON API', async () => {
    const index = `${server.url}glibc/simple/`;
    const requirements = path.join(tmp, 'requirements.txt');
    await requirementsFromIndex(index, [['farm-app', '1.0'], ['farm-lib', '1.1']], requirements);
    log.length = 0;

    const output = await installer.pip(['install', '--no-cache-dir', '--index-url', index, '--require-hashes', '-r', requirements]);
    expect(output).toContain('Successfully installed farm-app-1.0 farm-lib-1.1');
    const stdout = await installer.python('import farm_app, farm_lib; print(farm_app.VERSION, farm_lib.VERSION)');
    expect(stdout.trim()).toBe('1.0 1.1');

    // The server's log: pip asked for JSON and got JSON, for both project pages.
    for (const project of ['farm-app', 'farm-lib']) {
      const page = log.find((e) => e.url === `/glibc/simple/${project}/` && e.userAgent?.startsWith('pip/'));
      expect(page, `log: ${JSON.stringify(log.map((e) => e.url))}`).toBeDefined();
      expect(page!.accept).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
        expect(page).toMatchObject({ status: 200, contentType: SIMPLE_JSON });
    }
    expect(log.filter((e) => e.url.endsWith('.whl')).map((e) => [e.url, e.status])).toEqual([
      ['/glibc/packages/farm_app-1.0-py3-none-any.whl', 200],
      ['/glibc/packages/farm_lib-1.1-py3-none-any.whl', 200],
    ]);
  });

  it('resolves with the PEP 658 .metadata files, skipping the yanked and the Python-4-only versions', async () => {
    const index = `${server.url}glibc/simple/`;
    log.length = 0;
    const report = path.join(tmp, 'report.json');
    await installer.pip(['install', '--no-cache-dir', '--dry-run', '--ignore-installed', '--report', report, '--index-url', index, 'farm-app']);
    const installed = (JSON.parse(fs.readFileSync(report, 'utf8')) as { install: { metadata: { name: string; version: string } }[] }).install.map(
      (i) => `${i.metadata.name}==${i.metadata.version}`,
    );
    expect(installed.sort()).toEqual(['Farm_Lib==1.1', 'farm_app==1.0']);
    const files = log.filter((e) => e.url.startsWith('/glibc/packages/')).map((e) => [e.url, e.status]);
    // Metadata first (the resolver reads it instead of opening wheels), and
    // nothing at all of the versions pip must not pick. (pip 23.2 still
    // downloads the chosen wheels in a dry run; later versions don't.)
    expect(files.slice(0, 2)).toEqual([
      ['/glibc/packages/farm_app-1.0-py3-none-any.whl.metadata', 200],
      ['/glibc/packages/farm_lib-1.1-py3-none-any.whl.metadata', 200],
    ]);
    expect(files.filter(([url]) => /Farm_Lib-(1\.0|2\.0|3\.0)/.test(String(url)))).toEqual([]);
  });
});
