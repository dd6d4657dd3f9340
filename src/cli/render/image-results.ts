/** What `farm images bootstrap` prints at the end. Pure. */
import type { BootstrapResult, ImageListRow } from '../../images/index.js';
import { formatDuration, type Style } from './style.js';
import { renderTable } from './table.js';

/** The per-image table and a verdict line that says when nothing had to be done. */
export function renderBootstrapResults(results: readonly BootstrapResult[], style: Style): string[] {
  const lines = renderTable(
    ['target', 'python', 'image', 'result', 'why', 'took'],
    results.map((r) => [
      r.target,
      r.python,
      r.image,
      r.status === 'built' ? style.green('built') : style.dim('skipped'),
      r.neededBy === undefined ? r.reason : `${r.reason}; needed by ${r.neededBy}`,
      formatDuration(r.durationMs),
    ]),
    style,
  );
  const built = results.filter((r) => r.status === 'built').length;
  lines.push(
    '',
    built === 0
      ? `nothing to do: all ${results.length} image${results.length === 1 ? ' is' : 's are'} present and up to date (--force rebuilds)`
      : `${built} built, ${results.length - built} already present`,
  );
  return lines;
}

/** `farm images list`: one row per target and image. */
export function renderImageList(rows: readonly ImageListRow[], style: Style): string[] {
  const lines = renderTable(
    ['target', 'image', 'source', 'python', 'present'],
    rows.map((r) => [
      r.target,
      r.image,
      r.source,
      r.usedFor.join(','),
      r.present ? style.green('yes') : style.yellow('no'),
    ]),
    style,
  );
  const missing = rows.filter((r) => !r.present);
  if (missing.length > 0) {
    const bootstrap = [...new Set(missing.filter((r) => r.source === 'bootstrap').map((r) => r.target))];
    const pull = [...new Set(missing.filter((r) => r.source !== 'bootstrap').map((r) => r.target))];
    lines.push('');
    if (bootstrap.length > 0) lines.push(`hint: farm images bootstrap --targets ${bootstrap.join(',')}`);
    if (pull.length > 0) {
      lines.push(`hint: official images are pulled on first use, or now: farm images pull --targets ${pull.join(',')} (offline: farm images bootstrap)`);
    }
  }
  return lines;
}
