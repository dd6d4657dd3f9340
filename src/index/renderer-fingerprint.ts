import { createHash } from 'node:crypto';
import { projectView, type IndexFile } from './project-view.js';
import { renderLegacyJson } from './render-legacy-json.js';
import { renderProjectHtml } from './render-project-html.js';
import { renderProjectJson } from './render-project-json.js';
import { renderBrowserProjectPage } from './publish-browser.js';
import { renderRootHtml, renderRootJson } from './render-root.js';
import { chunkProjects } from '../web/browse/project-chunks.js';
import { renderChunkJson, renderChunkPage, renderSearchManifest } from '../web/browse/render-chunk.js';
import { renderHomePage } from '../web/browse/render-home.js';
import type { BrowserFile } from '../web/browse/project-matrix.js';
import { renderWheelPage } from '../web/browse/render-wheel-page.js';

const sample = (overrides: Partial<IndexFile>): IndexFile => ({
  filename: 'Sample_Pkg-1.0-py3-none-any.whl',
  version: '1.0',
  sha256: '0'.repeat(64),
  size: 1,
  uploadTime: '2000-01-01T00:00:00.000Z',
  requiresPython: null,
  requiresDist: [],
  summary: null,
  metadataSha256: '1'.repeat(64),
  yanked: false,
  yankedReason: '',
  ...overrides,
});

let memo: string | undefined;

/**
 * A digest of what the renderers produce for a sample project that takes
 * every branch (yanked with and without reason, escaped Requires-Python, a
 * local version, dependencies). Pages are a pure function of the inventory
 * bytes and the renderers, so `sha1(fingerprint + inventory bytes)` names a
 * project's pages exactly: a regeneration skips projects whose input digest
 * is unchanged, and any change to the renderers changes every digest without
 * anyone having to remember to bump a version number.
 */
export function rendererFingerprint(): string {
  if (memo !== undefined) return memo;
  const files: BrowserFile[] = [
    sample({ requiresPython: '>=3.8,<"4"', requiresDist: ['a>=1', 'b; extra == "x"'], summary: 'S & <s>' }),
    sample({ filename: 'Sample_Pkg-1.1+local-cp311-cp311-linux_x86_64.whl', version: '1.1+local', yanked: true }),
    sample({ filename: 'Sample_Pkg-2.0-py3-none-any.whl', version: '2.0', yanked: true, yankedReason: 'bad "build"' }),
    sample({
      filename: 'Sample_Pkg-2.1-cp311-cp311-linux_armv7l.whl',
      version: '2.1',
      build: {
        recipeHash: `sha256:${'2'.repeat(64)}`,
        image: 'i',
        requestId: 'r',
        target: 'glibc-armv7',
        python: '3.11',
        network: 'none',
        repair: 'vendored',
        vendoredLibraries: [{ soname: 'libx.so.1', path: 'sample_pkg.libs/libx-00000000.so.1', sha256: '3'.repeat(64), package: 'libx1' }],
        runtimePackages: [{ manager: 'apt', packages: ['liby1'] }],
      },
    }),
    { ...sample({ filename: 'Sample_Pkg-2.2-py3-none-any.whl', version: '2.2' }), mirror: { url: 'https://example/x.whl' } },
  ];
  const view = projectView({ project: 'sample-pkg', name: 'Sample_Pkg', files });
  const entries = [{ project: 'sample-pkg', name: 'Sample<Pkg>', latestVersion: '1.0', files: 5 }];
  const chunks = chunkProjects(entries);
  const hash = createHash('sha1');
  for (const page of [
    renderProjectHtml(view),
    renderProjectJson(view),
    renderLegacyJson(view),
    renderRootHtml(entries),
    renderRootJson(entries),
    renderBrowserProjectPage('glibc', view),
    renderHomePage({ repository: 'repo', projects: 1, wheels: 3, chunks }),
    renderChunkPage('repo', chunks[0]!, null, null),
    renderChunkJson(entries),
    renderSearchManifest(chunks),
    renderWheelPage({ repository: 'glibc', project: 'sample-pkg', name: 'Sample_Pkg', file: files[3]!, contents: { format: 1, files: [['a/b.py', 10, 'sha256=x'], ['RECORD', null, null]] } }),
  ]) {
    hash.update(page).update('\0');
  }
  memo = hash.digest('hex');
  return memo;
}

/** The input digest of a project's pages: renderers + inventory bytes. */
export function pagesInputDigest(inventoryBytes: Uint8Array): string {
  return createHash('sha1').update(rendererFingerprint()).update(inventoryBytes).digest('hex');
}
