import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { createHash } from 'node:crypto';
import { regenerateIndex } from '../src/index/regenerate-index.js';
import { repositoryPaths } from '../src/repository/repository-paths.js';
const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const base = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'prof-'));
const root = path.join(base, 'root');
const paths = repositoryPaths(root, 'glibc');
fs.mkdirSync(paths.inventory, { recursive: true }); fs.mkdirSync(paths.packages, { recursive: true });
for (let i = 0; i < 20000; i++) {
  const display = `Bench_Pkg_${i}`; const files = [];
  for (let v = 0; v < 5; v++) { const version = `1.${v}.0`; const tag = v % 2 === 0 ? 'py3-none-any' : 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64'; const filename = `${display}-${version}-${tag}.whl`;
    files.push({ filename, version, sha256: hex(filename), size: 10000 + ((i * 7 + v) % 90000), uploadTime: new Date(Date.UTC(2024, 0, 1) + i * 60000 + v * 1000).toISOString(), requiresPython: v % 3 === 0 ? '>=3.8' : null, requiresDist: v % 2 === 0 ? ['requests>=2.0', 'attrs; extra == "dev"'] : [], summary: `Synthetic package ${i}`, metadataSha256: hex(`${filename}.metadata`), metadataSize: 1500, yanked: v === 1 && i % 50 === 0, yankedReason: v === 1 && i % 50 === 0 ? 'broken build' : '', origin: 'collected' }); }
  fs.writeFileSync(path.join(paths.inventory, `bench-pkg-${i}.json`), `${JSON.stringify({ format: 1, project: `bench-pkg-${i}`, name: display, files })}\n`);
}
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start');
const c = process.cpuUsage(); const t = performance.now();
await regenerateIndex({ root, repository: 'glibc', full: true });
const u = process.cpuUsage(c);
console.log(`regen ${(performance.now() - t).toFixed(0)} ms user ${(u.user / 1000).toFixed(0)} sys ${(u.system / 1000).toFixed(0)}`);
const { profile } = await s.post('Profiler.stop');
fs.writeFileSync('/tmp/regen.cpuprofile', JSON.stringify(profile));
fs.rmSync(base, { recursive: true, force: true });
