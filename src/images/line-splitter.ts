import { StringDecoder } from 'node:string_decoder';

/** A line ending: `\r\n`, `\n`, or a lone `\r` (apt and pip redraw progress bars with it). */
const LINE_END = /\r\n|\r|\n/g;

/**
 * Splits a byte stream into lines as chunks arrive, so progress shows while a
 * long step runs. `\r` also ends a line. Empty lines are dropped.
 *
 * Bytes are decoded with one `StringDecoder` for the whole stream, so a UTF-8
 * character split across two chunks stays whole; only the new chunk is
 * scanned for line ends, so a long line arriving in small chunks costs
 * linear time (the unfinished line is kept as pieces, joined once).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.scan(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  }

  end(): void {
    this.scan(this.decoder.end());
    this.emit('');
  }

  private scan(text: string): void {
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let match = LINE_END.exec(text); match !== null; match = LINE_END.exec(text)) {
      this.emit(text.slice(start, match.index));
      start = match.index + match[0].length;
    }
    if (start < text.length) this.pending.push(text.slice(start));
  }

  private emit(last: string): void {
    const line = this.pending.length === 0 ? last : this.pending.join('') + last;
    this.pending = [];
    if (line.length > 0) this.onLine(line);
  }
}
