import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../../src/errors.js';
import { formatRequirement, toPipRequirementsText } from '../../../src/requirements/pip-requirements-text.js';
import { parseRequirementsFile } from '../../../src/requirements/requirements-file.js';
import { requirementsForTarget } from '../../../src/requirements/requirements-for-target.js';
import { TARGETS } from '../../../src/targets/catalog.js';
import { mulberry32, randomLine } from './line-fuzzer.js';
import { memorySource } from './memory-source.js';

const CASES = 12_000;
const SEED = 0x5eed_508;

describe('property: any line parses or fails with file:line', () => {
  it(`${CASES} random and mutated lines`, async () => {
    const random = mulberry32(SEED);
    const target = TARGETS.get('glibc-armv7')!;
    const env = { VERSION: '1.0' };
    let parsedCount = 0;
    let errorCount = 0;
    for (let i = 0; i < CASES; i++) {
      const line = randomLine(random);
      const files = { 'fuzz.txt': `# header\nokay==1\n${line}\n` };
      let parsed;
      try {
        parsed = await parseRequirementsFile('fuzz.txt', memorySource(files), { env });
      } catch (error) {
        if (!(error instanceof InputFileError) || error.file !== 'fuzz.txt' || error.line !== 3) {
          throw new Error(`case ${i}: ${JSON.stringify(line.slice(0, 300))} threw ${String(error)}`, { cause: error });
        }
        errorCount++;
        continue;
      }
      parsedCount++;
      // Whatever parsed renders back to text that parses to the same requirements.
      const strip = (rs: typeof parsed.requirements) => rs.map(({ origin: _o, displayName: _d, ...rest }) => rest);
      const rendered = parsed.requirements.map((r) => formatRequirement(r)).join('\n');
      const again = await parseRequirementsFile('again.txt', memorySource({ 'again.txt': rendered }));
      // JSON first: vitest's deep equality is slow enough to matter twelve thousand times.
      const [want, got] = [strip(parsed.requirements), strip(again.requirements)];
      if (JSON.stringify(got) !== JSON.stringify(want)) expect(got, `case ${i}: ${JSON.stringify(line)}`).toEqual(want);
      try {
        toPipRequirementsText(requirementsForTarget(parsed, target, '3.11'));
      } catch (error) {
        if (!(error instanceof InputFileError) || error.line !== 3) throw error;
      }
    }
    // Both outcomes must be well represented, or the test proves little.
    expect(parsedCount).toBeGreaterThan(CASES / 10);
    expect(errorCount).toBeGreaterThan(CASES / 10);
  // 12,000 parses take about 1 s on an idle core; the default 5 s limit fails on a loaded CI machine.
  }, 60_000);
});
