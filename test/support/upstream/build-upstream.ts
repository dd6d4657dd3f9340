/**
 * A local PEP 503 upstream index for tests (PyPI is not reachable here):
 * fixture sdists, one pure wheel that farm mirrors, and the build tools pip's
 * build isolation installs offline: Debian's pip and wheel wheels, and an
 * unpatched setuptools (see vanilla-setuptools.ts; Debian's only works with
 * Debian's Python), falling back to Debian's when none is available.
 *
 * Layout: `<dir>/files/<file>` and `<dir>/simple/<normalised>/index.html`
 * with `#sha256=` links, served by `serveStatic`.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreMetadata, makeSdist } from './make-sdist.js';
import { makePureWheel } from './make-wheel.js';
import { vanillaSetuptoolsWheel } from './vanilla-setuptools.js';

/** Source trees of the fixture packages. */
export const FIXTURE_PACKAGES_DIR = fileURLToPath(new URL('../../fixtures/packages/', import.meta.url));

/** Debian's wheels (python3-pip-whl, python3-setuptools-whl, python3-wheel-whl). */
export const DEBIAN_WHEELS_DIR = '/usr/share/python-wheels';

/** Fixtures upstream ships only as a wheel. */
export const WHEEL_ONLY_FIXTURES: ReadonlySet<string> = new Set(['farmfix-purewheel']);

/** Every fixture package directory name. */
export const ALL_FIXTURES = [
  'farmfix-a',
  'farmfix-b',
  'farmfix-broken',
  'farmfix-c',
  'farmfix-cext',
  'farmfix-evilreq',
  'farmfix-helper',
  'farmfix-jpeg',
  'farmfix-netfetch',
  'farmfix-purewheel',
  'farmfix-usehelper',
  'farmfix-usehelper2',
  'farmfix-x86only',
] as const;

export interface UpstreamFile {
  /** Normalised project name. */
  project: string;
  filename: string;
  sha256: string;
  /** sha256 of `<file>.metadata` when the index serves it (PEP 658). */
  metadataSha256?: string;
}

export interface Upstream {
  dir: string;
  files: UpstreamFile[];
}

const normalize = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

const SDIST_SUFFIX = /\.(tar\.gz|tar\.bz2|tar\.xz|tgz|zip)$/;

function projectOfFile(filename: string): string {
  // A wheel's distribution part never contains '-' (PEP 427); an sdist's may
  // (`python-lzo-1.15.tar.gz`), and its version never does.
  if (filename.endsWith('.whl')) return normalize(filename.split('-')[0]!);
  const stem = filename.replace(SDIST_SUFFIX, '');
  return normalize(stem.slice(0, stem.lastIndexOf('-')));
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Builds the index into `dir` (created). `fixtures` picks which fixture
 * packages go in (default all); Debian's build tools always do, and
 * `extraFiles` adds more distribution files (e.g. a second version).
 */
export async function buildUpstream(
  dir: string,
  options: {
    fixtures?: readonly string[];
    extraFiles?: readonly string[];
    /**
     * Fixtures whose sdist the index also serves PEP 658 metadata for: pip
     * then resolves them from that metadata alone, without building or even
     * reading their pyproject.toml.
     */
    sdistMetadata?: readonly string[];
  } = {},
): Promise<Upstream> {
  const filesDir = path.join(dir, 'files');
  await mkdir(filesDir, { recursive: true });
  const files: UpstreamFile[] = [];
  for (const fixture of options.fixtures ?? ALL_FIXTURES) {
    const src = path.join(FIXTURE_PACKAGES_DIR, fixture);
    if (WHEEL_ONLY_FIXTURES.has(fixture)) {
      const made = await makePureWheel(src, filesDir);
      files.push({ project: normalize(fixture), filename: made.filename, sha256: made.sha256 });
      continue;
    }
    const made = await makeSdist(src, filesDir);
    const file: UpstreamFile = { project: normalize(fixture), filename: made.filename, sha256: made.sha256 };
    if (options.sdistMetadata?.includes(fixture) === true) {
      const metadata = Buffer.from(coreMetadata(made.info));
      await writeFile(path.join(filesDir, `${made.filename}.metadata`), metadata);
      file.metadataSha256 = createHash('sha256').update(metadata).digest('hex');
    }
    files.push(file);
  }
  let debian: string[];
  try {
    debian = (await readdir(DEBIAN_WHEELS_DIR)).filter((f) => /^(pip|setuptools|wheel)-.*\.whl$/.test(f));
  } catch {
    debian = [];
  }
  const missing = ['pip', 'setuptools', 'wheel'].filter((p) => !debian.some((f) => f.startsWith(`${p}-`)));
  if (missing.length > 0) {
    throw new Error(
      `Debian's ${missing.join(', ')} wheel(s) are missing from ${DEBIAN_WHEELS_DIR}: ` +
        `apt-get install python3-pip-whl python3-setuptools-whl python3-wheel-whl`,
    );
  }
  const vanilla = await vanillaSetuptoolsWheel();
  const tools = debian
    .filter((f) => vanilla === undefined || !f.startsWith('setuptools-'))
    .map((f) => path.join(DEBIAN_WHEELS_DIR, f));
  if (vanilla !== undefined) tools.push(vanilla.file);
  for (const extra of [...tools, ...(options.extraFiles ?? [])]) {
    const filename = path.basename(extra);
    await copyFile(extra, path.join(filesDir, filename));
    const sha256 = createHash('sha256').update(await readFile(extra)).digest('hex');
    files.push({ project: projectOfFile(filename), filename, sha256 });
  }
  await vanilla?.cleanup();
  await writeSimpleIndex(dir, files);
  return { dir, files };
}

/** Writes `simple/index.html` and one page per project (PEP 503). */
export async function writeSimpleIndex(dir: string, files: readonly UpstreamFile[]): Promise<void> {
  const byProject = new Map<string, UpstreamFile[]>();
  for (const f of files) byProject.set(f.project, [...(byProject.get(f.project) ?? []), f]);
  const simple = path.join(dir, 'simple');
  await mkdir(simple, { recursive: true });
  const projects = [...byProject.keys()].sort();
  await writeFile(
    path.join(simple, 'index.html'),
    `<!DOCTYPE html>\n<html><body>\n${projects.map((p) => `<a href="${p}/">${p}</a><br>`).join('\n')}\n</body></html>\n`,
  );
  for (const project of projects) {
    await mkdir(path.join(simple, project), { recursive: true });
    const links = byProject
      .get(project)!
      .map((f) => {
        const metadata = f.metadataSha256 === undefined ? '' : ` data-dist-info-metadata="sha256=${f.metadataSha256}" data-core-metadata="sha256=${f.metadataSha256}"`;
        return `<a href="../../files/${encodeURIComponent(f.filename)}#sha256=${f.sha256}"${metadata}>${escapeHtml(f.filename)}</a><br>`;
      });
    await writeFile(
      path.join(simple, project, 'index.html'),
      `<!DOCTYPE html>\n<html><body>\n<h1>Links for ${project}</h1>\n${links.join('\n')}\n</body></html>\n`,
    );
  }
}
