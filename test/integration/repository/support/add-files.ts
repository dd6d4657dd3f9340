/**
 * Child process: `addWheels` of the given files into `glibc` (the test kills it mid-copy).
 * argv: <root> <file>...
 */
import { addWheels } from '../../../../src/publishing/add-wheels.js';

const [root, ...files] = process.argv.slice(2) as [string, ...string[]];
await addWheels({ root, repository: 'glibc', paths: files });
