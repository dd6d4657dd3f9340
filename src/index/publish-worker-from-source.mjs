// The background publisher's worker when farm runs from its TypeScript
// sources (tsx, the test runner): loads publish-worker.ts through tsx, a
// development dependency. Built farm (dist/) starts publish-worker.js itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./publish-worker.ts', import.meta.url);
