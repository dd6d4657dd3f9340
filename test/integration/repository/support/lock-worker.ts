/**
 * Child process for the lock test: takes the repository lock `rounds` times and,
 * inside, does a deliberately racy read-modify-write of a counter file and
 * logs enter/exit times on the shared monotonic clock.
 * argv: <lockFile> <counterFile> <logFile> <rounds>
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLock } from '../../../../src/repository/repository-lock.js';

const [lockFile, counterFile, logFile, rounds] = process.argv.slice(2) as [string, string, string, string];
for (let i = 0; i < Number(rounds); i++) {
  await withLock(lockFile, async () => {
    const enter = process.hrtime.bigint();
    const value = Number(fs.readFileSync(counterFile, 'utf8'));
    await sleep(Math.random() * 3);
    fs.writeFileSync(counterFile, String(value + 1));
    const exit = process.hrtime.bigint();
    fs.appendFileSync(logFile, `${process.pid} ${enter} ${exit}\n`);
  });
}
