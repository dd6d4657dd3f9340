import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BuildFailedError } from '../errors.js';
import type { OnImageProgress } from './progress.js';

const TAIL_LINES = 30;

/**
 * The log of one bootstrap: every line goes to a file (kept after a failure,
 * for the error message) and to the progress callback; the last lines are
 * kept for the error itself.
 */
export class BootstrapLog {
  private readonly tail: string[] = [];
  private constructor(
    readonly path: string,
    private readonly file: WriteStream,
    private readonly target: string,
    private readonly image: string,
    private readonly onProgress: OnImageProgress,
  ) {}

  static async open(
    logDir: string,
    target: string,
    image: string,
    onProgress: OnImageProgress,
  ): Promise<BootstrapLog> {
    await mkdir(logDir, { recursive: true });
    const file = path.join(logDir, `bootstrap-${target}.log`);
    return new BootstrapLog(file, createWriteStream(file, { flags: 'w' }), target, image, onProgress);
  }

  line(phase: string, line: string): void {
    this.file.write(`${phase}: ${line}\n`);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.onProgress({ kind: 'line', target: this.target, image: this.image, phase, line });
  }

  /** The error for a step that exited non-zero. */
  failure(exitCode: number, message?: string): BuildFailedError {
    if (message !== undefined) this.file.write(`${message}\n`);
    return new BuildFailedError(
      { target: this.target, package: `bootstrap ${this.image}`, logPath: this.path, logTail: this.tail.join('\n') },
      exitCode,
      message === undefined ? {} : { hint: message },
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.file.end(resolve));
  }
}
