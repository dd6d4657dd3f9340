/** What `farm index`, `farm add` and `farm yank` print. Pure. */
import type { RegenerateResult } from '../../index/regenerate-index.js';
import type { AddWheelsResult } from '../../publishing/add-wheels.js';
import type { YankResult } from '../../publishing/yank.js';
import { formatDuration, type Style } from './style.js';

/** One paragraph per regenerated repository: what changed, what was adopted or refused. */
export function renderRegenerate(result: RegenerateResult, style: Style): string[] {
  const parts = [
    `${result.projects} project${result.projects === 1 ? '' : 's'}`,
    `${result.projectsWritten} page${result.projectsWritten === 1 ? '' : 's'} written`,
    ...(result.projectsRemoved > 0 ? [`${result.projectsRemoved} removed`] : []),
    ...(result.adopted.length > 0 ? [`${result.adopted.length} adopted from packages/`] : []),
    ...(result.forgotten.length > 0 ? [`${result.forgotten.length} forgotten (deleted by hand)`] : []),
  ];
  return [
    `${style.bold(result.repository)}: ${result.mode} index, ${parts.join(', ')} in ${formatDuration(result.durationMs)}`,
    ...result.adopted.map((w) => `  ${style.green('adopted')}  ${w.filename}`),
    ...result.rejected.map((r) => `  ${style.red('rejected')} ${r.file}: ${r.reason} (left in place, not indexed)`),
    ...result.altered.map((a) => `  ${style.red('changed')}  ${a.file}: ${a.reason} (kept out of the index; restore the file or farm add --replace)`),
    ...result.problems.map((p) => `  ${style.red('problem')}  ${p.file}: ${p.message}`),
  ];
}

/** `farm add`: each wheel's fate, then the index. */
export function renderAdd(repository: string, result: AddWheelsResult, style: Style): string[] {
  const lines = [
    ...result.collected.map((w) => `${w.status === 'unchanged' ? style.dim(w.status.padEnd(9)) : style.green(w.status.padEnd(9))} ${w.filename}`),
    ...result.rejected.map((r) => `${style.red('rejected ')} ${r.file}: ${r.reason}`),
  ];
  const added = result.collected.filter((w) => w.status !== 'unchanged').length;
  lines.push(`${repository}: ${added} added, ${result.collected.length - added} unchanged, ${result.rejected.length} rejected`);
  if (result.index !== null) lines.push(...renderRegenerate(result.index, style));
  return lines;
}

/** `farm yank` / `farm unyank`: the files whose state changed, per repository. */
export function renderYank(repository: string, yanked: boolean, result: YankResult, style: Style): string[] {
  const verb = yanked ? 'yanked' : 'unyanked';
  return [
    ...result.changed.map((f) => `${repository}: ${style.yellow(verb)} ${f}`),
    ...result.unchanged.map((f) => `${repository}: ${style.dim(`already ${verb}`)} ${f}`),
  ];
}
