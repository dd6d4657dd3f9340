/**
 * The terminal the CLI talks to, as a small interface: commands never touch
 * `process.stdout` directly, so tests can run the whole CLI in-process and
 * read what it printed.
 */
export interface CliIo {
  /** Writes to standard output, as is (no newline added). */
  out(text: string): void;
  /** Writes to standard error, as is (no newline added). */
  err(text: string): void;
  /** True when standard output is an interactive terminal: live progress is redrawn in place. */
  readonly isTTY: boolean;
  /** Whether to colour output: a TTY and `NO_COLOR` unset (https://no-color.org). */
  readonly color: boolean;
  /** Terminal width in columns now (a resized window changes it), for tables and the live block; 100 when unknown. */
  readonly columns: number;
  /** The environment commands read (`FARM_CONFIG`, `REDIS_URL`, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** Working directory relative paths are resolved against. */
  readonly cwd: string;
  /**
   * Resolves when the user interrupts (Ctrl-C / SIGTERM), so long-running
   * commands can stop and clean up before the process exits. Only commands
   * that call it take over the signals; others die on Ctrl-C as usual.
   */
  interrupted(): Promise<void>;
}

/** Colour is on for terminals unless `NO_COLOR` is set to anything non-empty. */
export function wantsColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return isTTY && env['TERM'] !== 'dumb';
}

/** The real process's terminal. */
export function processIo(): CliIo {
  const isTTY = process.stdout.isTTY === true;
  let interrupted: Promise<void> | undefined;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY,
    color: wantsColor(isTTY, process.env),
    get columns() {
      return process.stdout.columns ?? 100;
    },
    env: process.env,
    cwd: process.cwd(),
    interrupted() {
      interrupted ??= new Promise<void>((resolve) => {
        let count = 0;
        const handler = (signal: NodeJS.Signals) => {
          count += 1;
          // A second Ctrl-C means "now": leave without waiting for clean-up.
          if (count > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
          resolve();
        };
        process.on('SIGINT', handler);
        process.on('SIGTERM', handler);
      });
      return interrupted;
    },
  };
}
