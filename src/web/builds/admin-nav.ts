/** The navigation shared by every page of the admin area. Pure. */
import type { NavLink } from '../layout.js';

/** The stylesheet as `farm api` serves it. */
export const ADMIN_STYLESHEET = '/admin/static/farm.css';

/** Sections of the admin area, with `current` marking the one being shown. */
export function adminNav(current: 'requests' | 'sets' | 'queues' | ''): NavLink[] {
  return [
    { href: '/admin/', label: 'Requests', current: current === 'requests' },
    { href: '/admin/sets', label: 'Tracked sets', current: current === 'sets' },
    { href: '/admin/queues', label: 'Queues (Bull Board)', current: current === 'queues' },
  ];
}
