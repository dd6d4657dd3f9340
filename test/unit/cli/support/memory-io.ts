import type { CliIo } from '../../../../src/cli/io.js';

/** A `CliIo` that records output, for running the CLI in-process in tests. */
export interface MemoryIo extends CliIo {
  readonly stdout: string;
  readonly stderr: string;
  /** Simulates Ctrl-C. */
  interrupt(): void;
}

export function memoryIo(options: { isTTY?: boolean; color?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): MemoryIo {
  let stdout = '';
  let stderr = '';
  let resolveInterrupt: () => void = () => {};
  const interrupted = new Promise<void>((resolve) => {
    resolveInterrupt = resolve;
  });
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    isTTY: options.isTTY ?? false,
    color: options.color ?? false,
    columns: 120,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interrupted: () => interrupted,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    interrupt: () => resolveInterrupt(),
  };
}
