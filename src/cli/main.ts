/**
 * The `farm` executable's entry point (`bin/farm.js` imports the compiled
 * copy; `npx tsx src/cli/main.ts` runs it from source). Everything else is
 * in `runCli`, which tests call in-process.
 */
import { processIo } from './io.js';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());

// Every command closes what it opened; should a library still hold a handle
// (a socket in TIME_WAIT, a stray timer), don't leave the user's shell hanging.
setTimeout(() => process.exit(), 3000).unref();
