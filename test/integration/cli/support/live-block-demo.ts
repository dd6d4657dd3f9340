/**
 * Draws `farm build`'s live progress block the way `followRequest` does, on
 * the real terminal this process runs in: a few redraws with lines wider
 * than an 80-column terminal, a failure printed above the block, then the
 * block left on screen. live-block.test.ts runs it in tmux and reads the screen.
 */
import { processIo } from '../../../../src/cli/io.js';
import { renderProgress } from '../../../../src/cli/render/progress.js';
import { applyEvent, initialProgress, type ProgressState } from '../../../../src/cli/render/progress-state.js';
import { makeStyle } from '../../../../src/cli/render/style.js';
import { LiveBlock } from '../../../../src/cli/terminal/live-block.js';
import type { PackageRow, RequestEvent } from '../../../../src/pipeline/contract/request-types.js';

const io = processIo();
const style = makeStyle(true);
const targets = ['glibc-x86_64', 'musl-x86_64', 'glibc-aarch64'];
const requestId = 'req-0123456789abcdef';
const startedAt = Date.now() - 75_000;
let state: ProgressState = { ...initialProgress(requestId, targets, startedAt), requestState: 'building' };
const block = new LiveBlock(io);

const row = (i: number, target: string, rowState: PackageRow['state']): RequestEvent => ({
  type: 'row',
  requestId,
  at: new Date().toISOString(),
  row: { name: `package-with-a-long-name-${i}`, version: '1.0', target, python: '3.11', state: rowState },
});

for (let step = 0; step < 12; step++) {
  for (const target of targets) {
    state = applyEvent(state, row(step, target, step % 3 === 0 ? 'building' : 'built'));
  }
  if (step === 6) {
    block.clear();
    io.out('✗ package-with-a-long-name-6 on musl-x86_64: failed\n');
  }
  block.draw(renderProgress(state, Date.now(), style, io.columns));
  await new Promise((resolve) => setTimeout(resolve, 60));
}
block.release();
io.out('DEMO-DONE\n');
