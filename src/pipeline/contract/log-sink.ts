/**
 * Where a job's log ends up for `farm logs` on the main host. On the main
 * host the log is written where `farm logs` reads it; a remote worker writes
 * it on its own disk and ships it, piece by piece while the job runs and
 * completely when it ends, to the main host (`src/remote/remote-log-sink.ts`).
 */

/** Which log: a request's build of one package on one target, or its resolution (`name` = `_resolve`). */
export interface LogRef {
  readonly requestId: string;
  readonly name: string;
  readonly target: string;
  readonly python: string;
}

/** One job's log on its way. */
export interface LogDelivery {
  /**
   * Delivers what is left and returns the log's path on the main host, to
   * record in the job's result. Throws `TransientError` when the main host
   * can't be reached (the job is retried), `JobHandedBackError` when this
   * worker may deliver nothing more.
   */
  finish(): Promise<string>;
}

export interface LogSink {
  /** Starts delivering the log a job writes at `file` on this worker's disk. */
  open(file: string, ref: LogRef): Promise<LogDelivery>;
}

/** The main host's sink: its logs are already where `farm logs` reads them. */
export const LOCAL_LOG_SINK: LogSink = {
  async open(file) {
    return { finish: async () => file };
  },
};
