#!/usr/bin/env node
// Copies the files under src/ that are not TypeScript but are needed at run
// time (the Python container drivers) into dist/, at the same relative paths,
// so dist/ finds them beside its modules as src/ does. Part of `npm run build`.
// Usage: node scripts/copy-assets.mjs [out-dir]   (default: dist)
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.resolve(root, process.argv[2] ?? 'dist');
const ASSET = /\.py$/;
let copied = 0;
for (const rel of readdirSync(path.join(root, 'src'), { recursive: true })) {
  if (!ASSET.test(rel)) continue;
  cpSync(path.join(root, 'src', rel), path.join(outDir, rel));
  copied += 1;
}
process.stdout.write(`copy-assets: ${copied} files into ${path.relative(root, outDir) || '.'}/\n`);
