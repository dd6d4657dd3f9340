// Uses a compiled farm the way an installed one runs: plain node, no
// TypeScript loader. argv: <dist dir> <repository root>. Regenerates the
// glibc index (many new projects: the background publisher's worker thread
// starts from dist/), finds the container drivers, and prints JSON.
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const [dist, root] = process.argv.slice(2);
const load = (rel) => import(pathToFileURL(path.join(dist, rel)).href);
const { regenerateIndex } = await load('index/regenerate-index.js');
const { containerDriverPath } = await load('pipeline/target-jobs/drivers/container-drivers.js');
const result = await regenerateIndex({ root, repository: 'glibc', full: true });
process.stdout.write(
  `${JSON.stringify({ written: result.projectsWritten, drivers: [containerDriverPath('build.py'), containerDriverPath('smoke.py')] })}\n`,
);
