/**
 * The quick start's upstream index, for machines without PyPI: the example
 * projects in examples/packages as sdists (farm-demo-colors as a wheel, so
 * farm mirrors it) plus Debian's pip, setuptools and wheel wheels (pip's
 * build isolation needs them), served on 127.0.0.1 until interrupted.
 *
 *   npx tsx examples/offline-upstream.ts <dir>
 *
 * Writes the index URL to `<dir>/url` once it serves. Reuses the test
 * suite's upstream builder (test/support/upstream), so the quick start and
 * the pipeline tests make indexes the same way.
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_WHEELS_DIR, writeSimpleIndex, type UpstreamFile } from '../test/support/upstream/build-upstream.js';
import { makeSdist } from '../test/support/upstream/make-sdist.js';
import { makePureWheel } from '../test/support/upstream/make-wheel.js';
import { serveStatic } from '../test/support/upstream/static-server.js';

const PACKAGES = fileURLToPath(new URL('./packages/', import.meta.url));
/** Shipped upstream as a wheel only: farm mirrors it rather than building it. */
const WHEEL_ONLY = new Set(['farm-demo-colors']);

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

async function build(dir: string): Promise<void> {
  const filesDir = path.join(dir, 'files');
  await rm(dir, { recursive: true, force: true });
  await mkdir(filesDir, { recursive: true });
  const files: UpstreamFile[] = [];
  for (const name of (await readdir(PACKAGES)).sort()) {
    const made = WHEEL_ONLY.has(name)
      ? await makePureWheel(path.join(PACKAGES, name), filesDir)
      : await makeSdist(path.join(PACKAGES, name), filesDir);
    files.push({ project: name, filename: made.filename, sha256: made.sha256 });
  }
  for (const project of ['pip', 'setuptools', 'wheel']) {
    const wheel = (await readdir(DEBIAN_WHEELS_DIR).catch(() => [] as string[])).find((f) => f.startsWith(`${project}-`) && f.endsWith('.whl'));
    if (wheel === undefined) {
      throw new Error(`Debian's ${project} wheel is missing from ${DEBIAN_WHEELS_DIR}: apt-get install python3-pip-whl python3-setuptools-whl python3-wheel-whl`);
    }
    await copyFile(path.join(DEBIAN_WHEELS_DIR, wheel), path.join(filesDir, wheel));
    files.push({ project, filename: wheel, sha256: await sha256(path.join(filesDir, wheel)) });
  }
  await writeSimpleIndex(dir, files);
}

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  process.stderr.write('usage: npx tsx examples/offline-upstream.ts <dir>\n');
  process.exit(2);
}
const root = path.resolve(dir);
await build(root);
const server = await serveStatic(root);
const url = `${server.url}/simple/`;
await writeFile(path.join(root, 'url'), `${url}\n`);
process.stdout.write(`example upstream index: ${url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
