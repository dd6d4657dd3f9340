/**
 * Child process: builds wheels of one project and adds them one by one with
 * `addWheels` (each call: lock, collect, regenerate).
 * argv: <root> <workDir> <first> <count>
 */
import path from 'node:path';
import { addWheels } from '../../../../src/publishing/add-wheels.js';
import { writeWheel } from './make-wheel.js';

const [root, work, first, count] = process.argv.slice(2) as [string, string, string, string];
for (let i = Number(first); i < Number(first) + Number(count); i++) {
  const wheel = writeWheel(path.join(work, String(process.pid)), { name: 'shared', version: `0.${i}` });
  const result = await addWheels({ root, repository: 'glibc', paths: [wheel] });
  if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected));
}
