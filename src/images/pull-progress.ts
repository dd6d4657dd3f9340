/** A progress event of `docker pull` as the Engine API streams it. */
export interface PullEvent {
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly error?: string;
}

/**
 * Turns the pull stream's many events into a few readable lines: one when a
 * layer changes state, and one per 25% of a layer's download. Pure state
 * machine; `feed` returns the line to show, if any.
 */
export class PullProgress {
  private readonly lastStatus = new Map<string, string>();
  private readonly lastQuarter = new Map<string, number>();

  feed(event: PullEvent): string | undefined {
    if (event.error !== undefined) return `error: ${event.error}`;
    const status = event.status ?? '';
    if (event.id === undefined) return status === '' ? undefined : status;
    const { current, total } = event.progressDetail ?? {};
    if (status === 'Downloading' && current !== undefined && total !== undefined && total > 0) {
      const quarter = Math.floor((current / total) * 4);
      const seen = this.lastQuarter.get(event.id);
      if (seen === quarter && this.lastStatus.get(event.id) === status) return undefined;
      this.lastQuarter.set(event.id, quarter);
      this.lastStatus.set(event.id, status);
      return `${event.id}: Downloading ${Math.round((current / total) * 100)}% of ${formatBytes(total)}`;
    }
    if (this.lastStatus.get(event.id) === status) return undefined;
    this.lastStatus.set(event.id, status);
    return `${event.id}: ${status}`;
  }
}

/** `31457280` → `30.0 MB`. Pure. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
