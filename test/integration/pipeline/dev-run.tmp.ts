import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load-config.js';
import { openEngine } from '../../../src/pipeline/engine.js';
import { buildUpstream } from '../../support/upstream/build-upstream.js';
import { serveStatic } from '../../support/upstream/static-server.js';

const targets = (process.argv[2] ?? 'glibc-x86_64').split(',');
const dir = await mkdtemp('/tmp/farm-pipeline-dev-');
await buildUpstream(path.join(dir, 'upstream'));
const server = await serveStatic(path.join(dir, 'upstream'));
const cfgText = `
root: ${dir}/root
stateDir: ${dir}/state
redis: { url: "redis://127.0.0.1:6379" }
docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", concurrency: 2, network: host }] }
upstream: { indexUrl: "${server.url}/simple/" }
images: { source: bootstrap }
`;
const config = parseConfig(cfgText, 'dev');
const req = path.join(dir, 'requirements.txt');
await writeFile(req, 'farmfix-a\nfarmfix-cext\nfarmfix-x86only ; platform_machine != "armv7l"\nfarmfix-purewheel\nfarmfix-broken\n');
const prefix = `farm-dev-${Date.now()}`;
const engine = await openEngine(config, { prefix, workers: { log: (l) => console.log('[worker]', l), cacheVolumePrefix: 'farm-pipeline-dev5-' } });
const t0 = Date.now();
const id = await engine.submit({ requirements: [req], targets });
console.log('request', id, dir);
for await (const ev of engine.watch(id)) {
  if (ev.type === 'row') console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s row ${ev.row.name} ${ev.row.target} ${ev.row.state} ${ev.row.wheel ?? ''} ${ev.row.reason ?? ''} ${ev.row.error?.split('\n')[0] ?? ''}`);
  else console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s`, JSON.stringify(ev));
}
const st = await engine.status(id);
console.log(st.state, st.indexedRepositories, JSON.stringify(st.rows.map(r => [r.name, r.target, r.state, r.wheel, r.reason])));
const t1 = Date.now();
const id2 = await engine.submit({ requirements: [req], targets });
for await (const ev of engine.watch(id2)) console.log(`warm ${Date.now() - t1}ms ${ev.type} ${ev.type === 'state' ? ev.state : ''}`);
const st2 = await engine.wait(id2);
console.log(JSON.stringify(st2.resolveLogs));
console.log('second', (Date.now() - t1) / 1000, st2.state, JSON.stringify(st2.rows.map(r => [r.name, r.target, r.state, r.reason])));
await engine.close();
await server.close();
