import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRelease } from '../../../src/cli/render/release-provenance.js';
import { makeStyle } from '../../../src/cli/render/style.js';
import { runCli } from '../../../src/cli/run-cli.js';
import type { WheelRecord } from '../../../src/repository/inventory-schema.js';
import { writeProjectInventory } from '../../../src/repository/inventory-store.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { memoryIo } from './support/memory-io.js';

const sha = (c: string) => c.repeat(64);
const record = (over: Partial<WheelRecord> & { filename: string }): WheelRecord => ({
  version: '1.0',
  sha256: sha('a'),
  size: 2048,
  uploadTime: '2024-05-01T12:00:00.000Z',
  requiresPython: null,
  requiresDist: [],
  summary: null,
  metadataSha256: sha('b'),
  metadataSize: 10,
  yanked: false,
  yankedReason: '',
  origin: 'collected',
  ...over,
});

const built = record({
  filename: 'farmfix_jpeg-1.0-cp311-cp311-linux_armv7l.whl',
  build: {
    recipeHash: `sha256:${sha('c')}`,
    image: `farm/builder-glibc-armv7:bootstrap-py3.11@sha256:${sha('d')}`,
    target: 'glibc-armv7',
    python: '3.11',
    sdist: { filename: 'farmfix_jpeg-1.0.tar.gz', sha256: sha('e') },
    buildImage: `farm/derived-glibc-armv7:0123456789ab@sha256:${sha('f')}`,
    systemPackages: { manager: 'apt', packages: ['libjpeg62-turbo-dev'] },
    buildDependencies: [{ name: 'setuptools', version: '66.1.1', filename: 'setuptools-66.1.1-py3-none-any.whl', sha256: sha('1') }],
    network: 'none',
    repair: 'vendored',
    vendoredLibraries: [{ soname: 'libjpeg.so.62', path: 'farmfix_jpeg.libs/libjpeg-0a1b2c3d.so.62', sha256: sha('2'), package: 'libjpeg62-turbo' }],
    runtimePackages: [{ manager: 'apt', packages: ['libyaml-0-2'] }],
  },
});

describe('renderRelease (farm show)', () => {
  it('prints every provenance field of a farm-built wheel', () => {
    const text = renderRelease([{ repository: 'glibc', name: 'farmfix-jpeg', files: [built] }], makeStyle(false)).join('\n');
    expect(text).toContain('glibc/farmfix_jpeg-1.0-cp311-cp311-linux_armv7l.whl');
    expect(text).toMatch(/built for +glibc-armv7, Python 3\.11/);
    expect(text).toMatch(new RegExp(`sdist +farmfix_jpeg-1\\.0\\.tar\\.gz sha256:${sha('e')}`));
    expect(text).toMatch(/build image +farm\/derived-glibc-armv7:0123456789ab@sha256:f+ \(apt: libjpeg62-turbo-dev\)/);
    expect(text).toMatch(/recipe +sha256:c{64}/);
    expect(text).toMatch(/network +none \(hermetic compile\)/);
    expect(text).toMatch(/build deps +setuptools-66\.1\.1-py3-none-any\.whl sha256:1{64}/);
    expect(text).toMatch(/vendored +libjpeg\.so\.62 → farmfix_jpeg\.libs\/libjpeg-0a1b2c3d\.so\.62 \(from libjpeg62-turbo\)/);
    expect(text).toMatch(/needs +apt install libyaml-0-2/);
  });

  it('says where a wheel farm did not build came from', () => {
    const text = renderRelease([{ repository: 'musl', name: 'x', files: [record({ filename: 'x-1.0-py3-none-any.whl', origin: 'adopted' })] }], makeStyle(false)).join('\n');
    expect(text).toMatch(/origin +copied into packages\/ by hand \(adopted\)/);
  });
});

describe('farm show', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'farm-show-'));
    const paths = repositoryPaths(path.join(dir, 'root'), 'glibc');
    await mkdir(paths.packages, { recursive: true });
    writeProjectInventory(paths, { format: 1, project: 'farmfix-jpeg', name: 'farmfix-jpeg', files: [built, record({ filename: 'farmfix_jpeg-2.0-py3-none-any.whl', version: '2.0' })] });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    const io = memoryIo({ cwd: dir, env: { FARM_ROOT: path.join(dir, 'root') } });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  };

  it('finds the release in any spelling and PEP 440 form, and prints its provenance', async () => {
    const { code, stdout } = await run('show', 'FarmFix_JPEG', '1.0.0');
    expect(code).toBe(0);
    expect(stdout).toContain('glibc/farmfix_jpeg-1.0-cp311-cp311-linux_armv7l.whl');
    expect(stdout).not.toContain('farmfix_jpeg-2.0');
    expect(stdout).toMatch(/vendored +libjpeg\.so\.62/);
  });

  it('prints the inventory records with --json', async () => {
    const { code, stdout } = await run('show', 'farmfix-jpeg', '1.0', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { repository: string; files: WheelRecord[] }[];
    expect(parsed[0]!.repository).toBe('glibc');
    expect(parsed[0]!.files[0]!.build).toEqual(built.build);
  });

  it('exits 1 naming the release when no repository has it', async () => {
    const { code, stderr } = await run('show', 'farmfix-jpeg', '9.9');
    expect(code).toBe(1);
    expect(stderr).toMatch(/farmfix-jpeg 9\.9: not in any repository under .* \(glibc\)/);
  });
});
