import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/cli/context.js';
import { followRequest } from '../../../src/cli/follow-request.js';
import { stripAnsi } from '../../../src/cli/render/style.js';
import type { Engine } from '../../../src/pipeline/index.js';
import type { PackageRow, RequestEvent, RequestStatus } from '../../../src/pipeline/contract/request-types.js';
import { memoryIo } from './support/memory-io.js';
import { row, status } from './support/statuses.js';

// followRequest against an in-memory engine that replays a fixed event
// stream: checks which renderer each kind of output uses, not the pipeline.
const T0 = Date.now();
const at = (ms: number) => new Date(T0 + ms).toISOString();
const rowEvent = (r: PackageRow, ms: number): RequestEvent => ({ type: 'row', requestId: 'req1', at: at(ms), row: r });

function engineReplaying(events: RequestEvent[], final: RequestStatus): Engine & { cancelled: string[] } {
  const cancelled: string[] = [];
  return {
    cancelled,
    submit: async () => 'req1',
    status: async () => final,
    list: async () => [],
    async *watch(_id, onEvent) {
      for (const event of events) {
        onEvent?.(event);
        yield event;
        await new Promise((r) => setTimeout(r, 1));
      }
    },
    wait: async () => final,
    cancel: async (id) => void cancelled.push(id),
    retry: async () => 'req2',
    logPath: async () => '/logs/x.log',
    close: async () => {},
  };
}

const failedRow = row({ name: 'broken', target: 'glibc-x86_64', state: 'failed', logPath: '/logs/broken.log' });
const builtRow = row({ name: 'cext', target: 'glibc-x86_64', state: 'built', durationMs: 3000 });
const events: RequestEvent[] = [
  { type: 'state', requestId: 'req1', at: at(0), state: 'resolving' },
  rowEvent(row({ name: 'broken', target: 'glibc-x86_64', state: 'resolved' }), 10),
  rowEvent(row({ name: 'cext', target: 'glibc-x86_64', state: 'resolved' }), 10),
  { type: 'state', requestId: 'req1', at: at(20), state: 'building' },
  rowEvent(row({ name: 'cext', target: 'glibc-x86_64', state: 'building' }), 30),
  rowEvent(failedRow, 40),
  rowEvent(builtRow, 50),
  { type: 'message', requestId: 'req1', at: at(55), level: 'warn', text: 'slow mirror' },
  { type: 'finished', requestId: 'req1', at: at(60), state: 'done', counts: { built: 1, failed: 1 } },
];
const final = status([failedRow, builtRow], { targets: ['glibc-x86_64'] });

describe('followRequest', () => {
  it('without a terminal prints one plain line per event, then the summary, and exits 1 on a failure', async () => {
    const io = memoryIo();
    const code = await followRequest(createContext(io), engineReplaying(events, final), 'req1', ['glibc-x86_64'], { json: false, onInterrupt: 'detach' });
    expect(code).toBe(1);
    expect(io.stdout).not.toContain('\u001b[');
    const lines = io.stdout.split('\n');
    expect(lines[0]).toBe('request req1: following glibc-x86_64');
    expect(lines.filter((l) => /^\[\s*\S+\] /.test(l))).toHaveLength(events.length);
    expect(io.stdout).toMatch(/\] request req1: done \(1 built, 1 failed\)$/m);
    expect(io.stdout).toMatch(/^\[\s*\S+\] broken 1\.0 \(glibc-x86_64, py3\.11\): failed \(log: \/logs\/broken\.log\)$/m);
    expect(io.stdout).toMatch(/^broken\s+1\.0\s+glibc-x86_64\s+failed\s+\/logs\/broken\.log$/m);
    expect(io.stdout).toMatch(/^hint: see a log with: farm logs req1 broken --target glibc-x86_64$/m);
  });

  it('on a terminal redraws one progress block in place and keeps failures above it', async () => {
    const io = memoryIo({ isTTY: true, color: true });
    const code = await followRequest(createContext(io), engineReplaying(events, final), 'req1', ['glibc-x86_64'], { json: false, onInterrupt: 'cancel' });
    expect(code).toBe(1);
    expect(io.stdout).toContain('\u001b[2K'); // the previous drawing erased, line by line
    expect(io.stdout).toContain('\u001b[31m'); // colour
    const text = stripAnsi(io.stdout);
    expect(text).toMatch(/✗ broken 1\.0 \(glibc-x86_64, py3\.11\): failed \(log: \/logs\/broken\.log\)/);
    expect(text).toMatch(/warning: slow mirror/);
    expect(text).toMatch(/✗ glibc-x86_64 {2}\[#+\] 2 resolved · 0 cached · 0 mirrored · 0 building · 1 built · 1 failed/);
    expect(text).toMatch(/^broken\s+1\.0\s+glibc-x86_64\s+failed\s+\/logs\/broken\.log$/m);
  });

  it('honours NO_COLOR on a terminal: still redrawn, no colour', async () => {
    const io = memoryIo({ isTTY: true, color: false });
    await followRequest(createContext(io), engineReplaying(events, final), 'req1', ['glibc-x86_64'], { json: false, onInterrupt: 'cancel' });
    expect(io.stdout).toContain('\u001b[2K');
    expect(io.stdout).not.toMatch(new RegExp(String.raw`\u001b\[3\dm`));
  });

  it('--json prints only the final status', async () => {
    const io = memoryIo({ isTTY: true });
    const code = await followRequest(createContext(io), engineReplaying(events, final), 'req1', ['glibc-x86_64'], { json: true, onInterrupt: 'cancel' });
    expect(code).toBe(1);
    expect(JSON.parse(io.stdout)).toEqual(final);
  });

  it('exits 0 when everything is published', async () => {
    const ok = status([builtRow, row({ name: 'x', target: 'glibc-x86_64', state: 'skipped', reason: 'marker' })], { targets: ['glibc-x86_64'] });
    const io = memoryIo();
    expect(await followRequest(createContext(io), engineReplaying([], ok), 'req1', ['glibc-x86_64'], { json: false, onInterrupt: 'detach' })).toBe(0);
  });

  it('Ctrl-C in embedded mode cancels the request and exits 1', async () => {
    const io = memoryIo({ isTTY: true });
    const engine = engineReplaying(events, final);
    const slow: Engine = {
      ...engine,
      async *watch(_id, _onEvent, options) {
        yield events[0]!;
        io.interrupt();
        await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
      },
    };
    const code = await followRequest(createContext(io), slow, 'req1', ['glibc-x86_64'], { json: false, onInterrupt: 'cancel' });
    expect(code).toBe(1);
    expect(engine.cancelled).toEqual(['req1']);
    expect(io.stderr).toBe('interrupted: request req1 was stopped\n');
  });
});
