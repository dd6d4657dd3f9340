import { serveStatic } from './test/support/upstream/static-server.js';
const s = await serveStatic('/tmp/farm-pipeline-dev-XmxCZh/upstream');
console.log(s.url);
setTimeout(() => void s.close(), 300_000);
