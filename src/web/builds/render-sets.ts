/**
 * Tracked sets (`/admin/sets`): each set's source, targets and schedule,
 * with the next run and the last result. Pure.
 */
import type { TrackedSet } from '../../config/schema.js';
import type { ScheduleInfo } from '../../schedule/schedules.js';
import { html } from '../html.js';
import { renderPage, scrollRegion } from '../layout.js';
import { ADMIN_STYLESHEET, adminNav } from './admin-nav.js';

/** The last trigger of a set and where it led. */
export interface LastResult {
  readonly at: string;
  readonly origin: string;
  /** Trigger state, then the request's once submitted. */
  readonly state: string;
  readonly requestId?: string;
  readonly error?: string;
}

export interface SetRow {
  readonly set: TrackedSet;
  readonly schedule?: ScheduleInfo;
  readonly last?: LastResult;
}

function source(set: TrackedSet): string {
  const s = set.source as Record<string, unknown>;
  return [s['url'], s['branch'], s['path']].filter((v) => typeof v === 'string').join(' ');
}

export function renderSetsPage(rows: readonly SetRow[]): string {
  const body = rows.map(({ set, schedule, last }) => {
    const when = schedule === undefined ? 'not scheduled' : schedule.paused ? `${schedule.cron} (${schedule.tz}), paused` : `${schedule.cron} (${schedule.tz})`;
    const lastCell =
      last === undefined
        ? html`<span class="muted">never</span>`
        : html`<span class="state state-${last.state}">${last.state}</span> ${last.origin}, <time datetime="${last.at}">${last.at.slice(0, 16).replace('T', ' ')} UTC</time>${
            last.requestId === undefined ? '' : html` · <a href="/admin/requests/${encodeURIComponent(last.requestId)}" class="mono">${last.requestId}</a>`
          }${last.error === undefined ? '' : html`<br><span class="mono">${last.error.split('\n')[0]}</span>`}`;
    return html`<tr><th scope="row">${set.name}</th><td class="mono" data-label="Source">${source(set)}</td><td data-label="Targets">${set.targets.join(', ')}</td><td data-label="Schedule">${when}</td>
<td data-label="Next run">${schedule?.next === undefined ? '' : html`<time datetime="${schedule.next}">${schedule.next.slice(0, 16).replace('T', ' ')} UTC</time>`}</td><td data-label="Last result">${lastCell}</td></tr>\n`;
  });
  return renderPage({
    title: 'Tracked sets',
    stylesheet: ADMIN_STYLESHEET,
    nav: adminNav('sets'),
    main: html`<h1>Tracked sets</h1>
<p class="lede muted">Requirement sets farm rebuilds on a schedule or when their repository is pushed to (<code>sets:</code> in the config).</p>
${
  rows.length === 0
    ? html`<p>No tracked sets are configured.</p>`
    : scrollRegion(
        'Tracked sets',
        html`<table class="cards">
<thead><tr><th scope="col">Set</th><th scope="col">Source</th><th scope="col">Targets</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last result</th></tr></thead>
<tbody>
${body}</tbody></table>`,
      )
}`,
  });
}
