/**
 * A build log with a size cap: a runaway build that prints forever must not
 * fill the worker's disk. The first bytes go to the file as they come (live
 * viewers follow them); once the file reaches its cap less the tail's room,
 * a line says output is being cut, and only the last `tailBytes` are kept in
 * memory, written after a line that says how much was cut when the step
 * ends. The end of a log (the error) is what a reader needs most.
 */

/** Default cap of one log file (all its container runs together). */
export const DEFAULT_MAX_LOG_BYTES = 32 * 1024 * 1024;

/** Where the kept bytes go, in order. */
export interface LogSink {
  write(chunk: Buffer | string): void;
}

/** How much of a log is kept. */
export interface LogCap {
  /** Largest size of the file (a few hundred bytes of farm's notes aside). */
  maxBytes: number;
  /** Size the file already has (earlier steps and attempts append to the same log). */
  existingBytes: number;
}

/** The tail kept for a cap: a quarter of it, at most 4 MiB. */
export function tailBytesFor(maxBytes: number): number {
  return Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 4));
}

/** Writes through to `sink` until the head is full, then keeps the tail; `finish` writes it. */
export class CappedLog {
  private headLeft: number;
  private readonly tailBytes: number;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private cut = 0;
  private marked = false;

  constructor(
    private readonly sink: LogSink,
    private readonly cap: LogCap,
  ) {
    this.tailBytes = tailBytesFor(cap.maxBytes);
    this.headLeft = Math.max(0, cap.maxBytes - this.tailBytes - cap.existingBytes);
  }

  write(data: Buffer | string): void {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.headLeft > 0) {
      const head = chunk.subarray(0, this.headLeft);
      this.sink.write(head);
      this.headLeft -= head.length;
      chunk = chunk.subarray(head.length);
      if (chunk.length === 0) return;
    }
    if (!this.marked) {
      // Said at once, so whoever follows the log live knows why it stops.
      this.marked = true;
      this.sink.write(`\n# farm: this log reached its limit of ${this.cap.maxBytes} bytes: output is cut here, its last ${this.tailBytes} bytes follow when the step ends\n`);
    }
    // Copied: the caller may reuse its buffer.
    this.tail.push(Buffer.from(chunk));
    this.tailSize += chunk.length;
    while (this.tailSize - this.tail[0]!.length >= this.tailBytes) {
      this.cut += this.tail[0]!.length;
      this.tailSize -= this.tail.shift()!.length;
    }
  }

  /** Writes the kept tail (and what was cut before it). Idempotent. */
  finish(): void {
    if (this.tail.length === 0) return;
    let tail = Buffer.concat(this.tail);
    const extra = Math.max(0, tail.length - this.tailBytes);
    this.cut += extra;
    tail = tail.subarray(extra);
    this.tail = [];
    this.tailSize = 0;
    if (this.cut > 0) {
      this.sink.write(`\n# farm: this log is limited to ${this.cap.maxBytes} bytes: ${this.cut} bytes of output were cut here\n`);
    }
    this.sink.write(tail);
  }
}
