/**
 * Redraws a block of lines in place on a terminal: moves the cursor up over
 * the previous drawing and clears each line before writing the new one. The
 * only place that emits cursor-movement escapes.
 */
const CURSOR_UP = (n: number) => `\u001b[${n}A`;
const CLEAR_LINE = '\u001b[2K\r';

/** A block of terminal lines that `draw` replaces in place. */
export class LiveBlock {
  private drawn = 0;

  constructor(private readonly write: (text: string) => void) {}

  /** Replaces what was drawn last with `lines`. */
  draw(lines: readonly string[]): void {
    let text = this.drawn > 0 ? CURSOR_UP(this.drawn) : '';
    for (const line of lines) text += `${CLEAR_LINE}${line}\n`;
    // A shorter block than last time: blank the leftover lines, then come back.
    const extra = this.drawn - lines.length;
    if (extra > 0) text += `${CLEAR_LINE}\n`.repeat(extra) + CURSOR_UP(extra);
    this.drawn = lines.length;
    this.write(text);
  }

  /**
   * Erases the block and leaves the cursor where it started, so ordinary
   * output can be printed there; the next `draw` puts the block below it.
   */
  clear(): void {
    if (this.drawn === 0) return;
    this.write(CURSOR_UP(this.drawn) + `${CLEAR_LINE}\n`.repeat(this.drawn) + CURSOR_UP(this.drawn));
    this.drawn = 0;
  }

  /** Forgets the block: the next `draw` starts below it, leaving it on screen. */
  release(): void {
    this.drawn = 0;
  }
}
