import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regenerateIndex } from '../../../src/index/regenerate-index.js';
import { addWheels } from '../../../src/publishing/add-wheels.js';
import { repositoryPaths } from '../../../src/repository/repository-paths.js';
import { unyank, yank } from '../../../src/publishing/yank.js';
import { writeWheel } from './support/make-wheel.js';
import { tempDir } from './support/tree.js';

/**
 * A separate process reads the pages in a tight loop and checks every read is
 * a complete document; it stops when the stop file appears.
 */
const READER = `
import fs from 'node:fs';
const [html, json, stop, fileCount] = process.argv.slice(2);
const expected = Number(fileCount);
let reads = 0, bad = [], reasons = new Set();
while (!fs.existsSync(stop)) {
  const h = fs.readFileSync(html, 'utf8');
  const anchors = (h.match(/<a /g) || []).length;
  if (!h.startsWith('<!DOCTYPE html>') || !h.endsWith('</html>\\n') || anchors !== expected) bad.push('html:' + h.length);
  const m = /data-yanked="([^"]*)"/.exec(h);
  reasons.add(m ? m[1].slice(0, 12) : '-');
  const j = fs.readFileSync(json, 'utf8');
  try {
    const doc = JSON.parse(j);
    if (doc.files.length !== expected) bad.push('json-files:' + doc.files.length);
  } catch (e) {
    bad.push('json:' + j.length);
  }
  reads += 1;
}
process.stdout.write(JSON.stringify({ reads, bad: bad.slice(0, 5), badCount: bad.length, reasons: reasons.size }));
`;

let root: string;
let work: string;
const FILES = 150;
beforeAll(async () => {
  root = tempDir('atomic');
  work = tempDir('atomic-work');
  const wheels = Array.from({ length: FILES }, (_, i) =>
    writeWheel(work, { name: 'busy', version: `1.${i}`, requiresPython: '>=3.8', summary: 'a fairly long summary '.repeat(5) }),
  );
  await addWheels({ root, repository: 'glibc', paths: wheels });
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('atomic publishing', () => {
  it('a reader polling a page during 100 regenerations never sees a partial page', async () => {
    const paths = repositoryPaths(root, 'glibc');
    const html = path.join(paths.simple, 'busy', 'index.html');
    const json = path.join(paths.simple, 'busy', 'index.json');
    const stop = path.join(work, 'stop');
    const script = path.join(work, 'reader.mjs');
    fs.writeFileSync(script, READER);
    const reader = spawn(process.execPath, [script, html, json, stop, String(FILES)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    reader.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => reader.on('exit', resolve));

    const sizes = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const target = { root, repository: 'glibc', project: 'busy', version: '1.7', index: false };
      // Each step changes the page (a yank reason of varying length, or none), then regenerates.
      if (i % 2 === 0) await yank({ ...target, reason: `reason ${i} ${'x'.repeat(i * 40)}` });
      else await unyank(target);
      const result = await regenerateIndex({ root, repository: 'glibc', full: i % 10 === 9 });
      expect(result.projectsWritten).toBe(1);
      sizes.add(fs.statSync(html).size);
    }
    fs.writeFileSync(stop, '');
    expect(await exited).toBe(0);
    const report = JSON.parse(output) as { reads: number; bad: string[]; badCount: number; reasons: number };
    expect(report.badCount, `partial reads: ${report.bad.join(', ')}`).toBe(0);
    expect(report.reads).toBeGreaterThan(100);
    // The reader really saw the page change under it.
    expect(report.reasons).toBeGreaterThan(1);
    expect(sizes.size).toBeGreaterThan(50);

    // Nothing lost: the last state (unyanked) is what is published, and no temp file is left.
    expect(fs.readFileSync(html, 'utf8')).not.toContain('data-yanked');
    const leftovers = fs.readdirSync(path.dirname(html)).filter((n) => n.startsWith('.'));
    expect(leftovers).toEqual([]);
  });
});
