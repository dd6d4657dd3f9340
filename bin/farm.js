#!/usr/bin/env node
// The installed `farm` command: runs the compiled CLI (`npm run build` makes dist/).
// From a source checkout without building, use: npx tsx src/cli/main.ts
/* global process, URL */
const entry = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname)) {
    process.stderr.write(`error: farm is not built (${entry.pathname} is missing)\nhint: npm run build\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
