import { padEnd, visibleWidth, type Style } from './style.js';

/**
 * Lays out a table in aligned columns separated by two spaces, like
 * `docker ps`. Cells may contain ANSI colour; widths ignore it. The last
 * column is not padded, so long values (log paths) never add trailing blanks.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], style: Style): string[] {
  const widths = headers.map((h, col) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[col] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, col) => (col === cells.length - 1 ? cell : padEnd(cell, widths[col] ?? 0)))
      .join('  ')
      .trimEnd();
  return [style.bold(line(headers.map((h) => h.toUpperCase()))), ...rows.map(line)];
}
