/** The report `farm doctor` prints: one line per check, the fix under each problem. Pure. */
import type { CheckResult } from '../doctor/checks.js';
import { padEnd, type Style } from './style.js';

/** Renders the checks and a closing verdict line. */
export function renderDoctorReport(results: readonly CheckResult[], style: Style): string[] {
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.status === 'ok' ? style.green('ok  ') : r.status === 'warn' ? style.yellow('warn') : style.red('FAIL');
    lines.push(`${mark}  ${padEnd(r.name, width)}  ${r.detail}`);
    if (r.status !== 'ok' && r.fix !== undefined) lines.push(`${' '.repeat(6 + width + 2)}${style.cyan('fix:')} ${r.fix}`);
  }
  const failures = results.filter((r) => r.status === 'fail').length;
  const warnings = results.filter((r) => r.status === 'warn').length;
  lines.push(
    '',
    failures > 0
      ? style.red(`${failures} problem${failures > 1 ? 's' : ''} found${warnings > 0 ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`)
      : warnings > 0
        ? style.yellow(`no problems, ${warnings} warning${warnings > 1 ? 's' : ''}`)
        : style.green('everything farm needs is in place'),
  );
  return lines;
}
