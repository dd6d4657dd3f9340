/**
 * The quick start's upstream index, for machines without PyPI: the example
 * projects in examples/packages as sdists (farm-demo-colors as a wheel, so
 * farm mirrors it) plus the build tools pip's build isolation needs offline,
 * served on 127.0.0.1 until interrupted.
 *
 *   node --import tsx examples/offline-upstream.ts <dir>
 *
 * Writes the index URL to `<dir>/url` once it serves. The index is made by
 * the test suite's upstream builder (test/support/upstream), so the quick
 * start and the pipeline tests get the same build tools the same way.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUpstream } from '../test/support/upstream/build-upstream.js';
import { makeSdist } from '../test/support/upstream/make-sdist.js';
import { makePureWheel } from '../test/support/upstream/make-wheel.js';
import { serveStatic } from '../test/support/upstream/static-server.js';

const PACKAGES = fileURLToPath(new URL('./packages/', import.meta.url));
/** Shipped upstream as a wheel only: farm mirrors it rather than building it. */
const WHEEL_ONLY = new Set(['farm-demo-colors']);

/** Builds the example distributions into a temp dir; returns their paths. */
async function exampleDistributions(): Promise<{ files: string[]; cleanup(): Promise<void> }> {
  const out = await mkdtemp(path.join(tmpdir(), 'farm-examples-'));
  const files: string[] = [];
  for (const name of (await readdir(PACKAGES)).sort()) {
    const made = WHEEL_ONLY.has(name) ? await makePureWheel(path.join(PACKAGES, name), out) : await makeSdist(path.join(PACKAGES, name), out);
    files.push(path.join(out, made.filename));
  }
  return { files, cleanup: () => rm(out, { recursive: true, force: true }) };
}

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  process.stderr.write('usage: node --import tsx examples/offline-upstream.ts <dir>\n');
  process.exit(2);
}
const root = path.resolve(dir);
await rm(root, { recursive: true, force: true });
await mkdir(root, { recursive: true });
const examples = await exampleDistributions();
// No test fixtures: only the build tools, plus the examples as extra files.
await buildUpstream(root, { fixtures: [], extraFiles: examples.files });
await examples.cleanup();
const server = await serveStatic(root);
const url = `${server.url}/simple/`;
await writeFile(path.join(root, 'url'), `${url}\n`);
process.stdout.write(`example upstream index: ${url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
