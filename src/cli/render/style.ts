import stringWidth from 'string-width';

/**
 * ANSI styling for the pure renderers. A `Style` with colour off returns
 * text unchanged, so renderers produce the same layout either way and tests
 * can compare plain strings.
 */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** Styles that colour when `color` is true and are identity functions otherwise. */
export function makeStyle(color: boolean): Style {
  if (!color) {
    const id = (text: string) => text;
    return { color, bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, magenta: id };
  }
  return {
    color,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Removes ANSI escapes: what a terminal shows, for width computations and tests. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Display width of a line in terminal columns (escapes excluded, wide characters count two). */
export function visibleWidth(text: string): number {
  return stringWidth(text);
}

/** Pads to a display width, ignoring escapes. */
export function padEnd(text: string, width: number): string {
  const gap = width - visibleWidth(text);
  return gap > 0 ? text + ' '.repeat(gap) : text;
}

/** Human duration: `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const totalSeconds = Math.floor(s);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
