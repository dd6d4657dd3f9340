import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLogPiece } from '../../../src/api/worker-api/log-append.js';
import { LogShipper } from '../../../src/remote/log-shipper.js';
import type { RemoteLogRef } from '../../../src/remote/server-client.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-shipper-'));
  dirs.push(dir);
  return dir;
}

const ref: RemoteLogRef = { requestId: 'r1', name: 'pkg', target: 'glibc-armv7', python: '3.11' };

/** The server's side of the protocol, on a real file, with a switch to lose answers. */
function server(file: string) {
  const calls: { offset: number; length: number }[] = [];
  let loseNext = false;
  return {
    calls,
    loseNextAnswer: () => (loseNext = true),
    async appendLog(_ref: RemoteLogRef, offset: number, piece: Buffer) {
      calls.push({ offset, length: piece.length });
      const result = await appendLogPiece(file, offset, piece);
      if (loseNext) {
        loseNext = false;
        throw new Error('answer lost');
      }
      return { size: result.size, path: file, gap: result.gap };
    },
  };
}

describe('LogShipper', () => {
  it('ships what the job writes, in pieces, after what earlier attempts (other workers) left on the server', async () => {
    const dir = tempDir();
    const serverLog = path.join(dir, 'server.log');
    fs.writeFileSync(serverLog, '# attempt 1 on worker A\n');
    const local = path.join(dir, 'b.log');
    fs.writeFileSync(local, '# an earlier attempt on this worker, already shipped\n');
    const api = server(serverLog);
    const shipper = await new LogShipper(api, local, ref, { pieceBytes: 8, intervalMs: 60_000 }).start();
    fs.appendFileSync(local, '# attempt 2 on worker B\nbuilding...\n');
    expect(await shipper.finish()).toBe(serverLog);
    expect(fs.readFileSync(serverLog, 'utf8')).toBe('# attempt 1 on worker A\n# attempt 2 on worker B\nbuilding...\n');
    expect(api.calls.length).toBeGreaterThan(3);
  });

  it('a piece resent after a lost answer is not written twice', async () => {
    const dir = tempDir();
    const serverLog = path.join(dir, 'server.log');
    const local = path.join(dir, 'b.log');
    const api = server(serverLog);
    const shipper = await new LogShipper(api, local, ref, { intervalMs: 60_000 }).start();
    fs.appendFileSync(local, 'line 1\n');
    api.loseNextAnswer();
    await expect(shipper.finish()).rejects.toThrow('answer lost');
    fs.appendFileSync(local, 'line 2\n');
    await shipper.finish();
    expect(fs.readFileSync(serverLog, 'utf8')).toBe('line 1\nline 2\n');
  });

  it('refills the server when its log went away', async () => {
    const dir = tempDir();
    const serverLog = path.join(dir, 'server.log');
    const local = path.join(dir, 'b.log');
    const api = server(serverLog);
    const shipper = await new LogShipper(api, local, ref, { intervalMs: 60_000 }).start();
    fs.appendFileSync(local, 'line 1\n');
    await shipper.finish();
    fs.rmSync(serverLog);
    fs.appendFileSync(local, 'line 2\n');
    await shipper.finish();
    expect(fs.readFileSync(serverLog, 'utf8')).toBe('line 1\nline 2\n');
  });
});
