import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

// Issue 14, point 22: one copy of @bull-board/api, shared by the Fastify adapter.
describe('@bull-board packages', () => {
  it('@bull-board/fastify resolves the same @bull-board/api as farm does', () => {
    const ours = require.resolve('@bull-board/api');
    const fastifyDir = path.dirname(require.resolve('@bull-board/fastify'));
    const theirs = require.resolve('@bull-board/api', { paths: [fastifyDir] });
    expect(theirs).toBe(ours);
  });
});
