/**
 * Redraws a block of lines in place on a terminal. log-update does the
 * terminal work: it wraps each line to the terminal's width and erases the
 * rows it drew, not the lines it was given, so a line wider than the
 * terminal (an 80-column window) leaves no stale copies behind. The only
 * place that emits cursor-movement escapes.
 */
import { createLogUpdate } from 'log-update';
import type { CliIo } from '../io.js';

/** What the block writes to: the CLI's output and the terminal's current width. */
export type LiveTerminal = Pick<CliIo, 'out' | 'columns'>;

/** A block of terminal lines that `draw` replaces in place. */
export class LiveBlock {
  private readonly update: ReturnType<typeof createLogUpdate>;
  private drawn = false;

  constructor(terminal: LiveTerminal) {
    // log-update reads `columns` at every draw, so a resized window is followed.
    const stream = {
      write: (text: string) => {
        terminal.out(text);
        return true;
      },
      get columns() {
        return terminal.columns;
      },
    };
    // The cursor stays visible: hiding it would need restoring on every way out of the process.
    this.update = createLogUpdate(stream as unknown as NodeJS.WriteStream, { showCursor: true });
  }

  /** Replaces what was drawn last with `lines`. */
  draw(lines: readonly string[]): void {
    this.update(lines.join('\n'));
    this.drawn = true;
  }

  /**
   * Erases the block and leaves the cursor where it started, so ordinary
   * output can be printed there; the next `draw` puts the block below it.
   */
  clear(): void {
    if (!this.drawn) return;
    this.update.clear();
    this.drawn = false;
  }

  /** Forgets the block: the next `draw` starts below it, leaving it on screen. */
  release(): void {
    this.update.done();
    this.drawn = false;
  }
}
