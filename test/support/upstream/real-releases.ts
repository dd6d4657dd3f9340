/**
 * Real third-party releases for tests, from Debian's mirror (the only package
 * source this machine reaches): upstream sdists are Debian's `.orig` tarballs
 * (`apt-get source --download-only`), renamed to the sdist name pip expects;
 * pycparser and ply, which upstream ships as pure wheels and whose orig
 * tarballs this mirror lacks, are repacked as wheels from Debian's binary
 * packages (Debian's pycparser imports the separate ply, so it is declared).
 *
 * apt runs with a private configuration (its own sources list, lists and
 * cache under the cache directory): nothing on the host changes. Downloads
 * are cached across runs in `cacheDir`.
 */
import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where fetched releases are kept between test runs. */
export const REAL_RELEASES_CACHE = '/tmp/farm-test-real-releases';

const MIRROR = 'http://deb.debian.org/debian';

/** A Debian source package whose orig tarball is an upstream release, and the sdist name it gets. */
interface SourceRelease {
  readonly source: string;
  readonly version: string;
  readonly orig: string;
  readonly sdist: string;
}

/** Known to be on the mirror (several others 404 there); python-lzo's is trixie's. */
export const REAL_SDISTS: readonly SourceRelease[] = [
  { source: 'python-cffi', version: '1.15.1-5', orig: 'python-cffi_1.15.1.orig.tar.gz', sdist: 'cffi-1.15.1.tar.gz' },
  { source: 'python-xattr', version: '0.10.1-1', orig: 'python-xattr_0.10.1.orig.tar.gz', sdist: 'xattr-0.10.1.tar.gz' },
  { source: 'python-lzo', version: '1.15-2', orig: 'python-lzo_1.15.orig.tar.gz', sdist: 'python-lzo-1.15.tar.gz' },
];

/** Pure-Python projects repacked from Debian binary packages: package, module directory, wheel name, extra requirements. */
const REPACKED = [
  { deb: 'python3-ply', module: 'ply', name: 'ply', version: '3.11', requires: [] as string[] },
  { deb: 'python3-pycparser', module: 'pycparser', name: 'pycparser', version: '2.21', requires: ['ply'] },
] as const;

/** Turns an unpacked Debian package's module into a pure wheel (a fixed script; paths are argv). */
const REPACK_SCRIPT = fileURLToPath(new URL('./repack-wheel.py', import.meta.url));

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** apt with a private configuration under `dir` (sources, lists, cache): the host's apt is untouched. */
async function apt(dir: string, args: readonly string[], cwd: string): Promise<void> {
  const options = [
    '-o', `Dir::Etc::SourceList=${path.join(dir, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/nonexistent',
    '-o', `Dir::State::Lists=${path.join(dir, 'lists')}`,
    '-o', `Dir::Cache=${path.join(dir, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
  await run('apt-get', [...options, ...args], { cwd, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
}

async function aptReady(dir: string): Promise<void> {
  if (await exists(path.join(dir, 'lists', '.farm-updated'))) return;
  await mkdir(path.join(dir, 'lists', 'partial'), { recursive: true });
  await mkdir(path.join(dir, 'cache', 'archives', 'partial'), { recursive: true });
  await writeFile(path.join(dir, 'sources.list'), `deb ${MIRROR} bookworm main\ndeb-src ${MIRROR} bookworm main\ndeb-src ${MIRROR} trixie main\n`);
  await apt(dir, ['update', '-q'], dir);
  await writeFile(path.join(dir, 'lists', '.farm-updated'), '');
}

/**
 * Fetches (or finds in the cache) the real releases and returns the paths of
 * the distribution files, named as an index serves them: the sdists of
 * `REAL_SDISTS` and the repacked pycparser and ply wheels.
 */
export async function fetchRealReleases(cacheDir: string = REAL_RELEASES_CACHE): Promise<string[]> {
  const aptDir = path.join(cacheDir, 'apt');
  const outDir = path.join(cacheDir, 'files');
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const release of REAL_SDISTS) {
    const dest = path.join(outDir, release.sdist);
    if (!(await exists(dest))) {
      await aptReady(aptDir);
      const work = path.join(cacheDir, 'src', release.source);
      await mkdir(work, { recursive: true });
      await apt(aptDir, ['source', '--download-only', `${release.source}=${release.version}`], work).catch(async (error: unknown) => {
        // apt fails when any part (the Debian diff) is missing; the orig tarball may still have come.
        if (!(await exists(path.join(work, release.orig)))) throw error;
      });
      await copyFile(path.join(work, release.orig), dest);
    }
    files.push(dest);
  }
  for (const pkg of REPACKED) {
    const wheel = path.join(outDir, `${pkg.name}-${pkg.version}-py3-none-any.whl`);
    if (!(await exists(wheel))) {
      await aptReady(aptDir);
      const work = path.join(cacheDir, 'deb', pkg.deb);
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      await apt(aptDir, ['download', pkg.deb], work);
      const deb = (await readdir(work)).find((f) => f.endsWith('.deb'))!;
      await run('dpkg-deb', ['-x', deb, 'root'], { cwd: work });
      const metadata = [
        'Metadata-Version: 2.1',
        `Name: ${pkg.name}`,
        `Version: ${pkg.version}`,
        `Summary: ${pkg.name} ${pkg.version}, repacked from Debian's ${pkg.deb} for farm's tests`,
        ...pkg.requires.map((r) => `Requires-Dist: ${r}`),
        '',
        '',
      ].join('\n');
      const spec = {
        out: wheel,
        moduleDir: path.join(work, 'root', 'usr', 'lib', 'python3', 'dist-packages', pkg.module),
        distInfo: `${pkg.name}-${pkg.version}.dist-info`,
        metadata,
      };
      await run('python3', [REPACK_SCRIPT, JSON.stringify(spec)]);
    }
    files.push(wheel);
  }
  return files;
}
