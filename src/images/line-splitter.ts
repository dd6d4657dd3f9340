/**
 * Splits a byte stream into lines as chunks arrive, so progress shows while a
 * long step runs. `\r` also ends a line: apt and pip redraw progress bars with it.
 */
export class LineSplitter {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    const parts = text.split(/\r\n|\r|\n/);
    this.pending = parts.pop() ?? '';
    for (const part of parts) if (part.length > 0) this.onLine(part);
  }

  end(): void {
    if (this.pending.length > 0) this.onLine(this.pending);
    this.pending = '';
  }
}
